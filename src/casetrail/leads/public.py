"""The public tip endpoints' common steps, for the JSON API and the web form alike.

Each request is counted against its rate limit and the count is committed at once, before the
tip or the receipt code is looked at, so that a rejected request still counts. A wrong receipt
code's audit entry is committed too, although the request then fails.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from casetrail.auth.context import RequestContext
from casetrail.blobs.factory import blob_store
from casetrail.core.errors import NotFound
from casetrail.core.settings import Settings
from casetrail.documents.models import Document
from casetrail.leads import intake, ratelimit
from casetrail.leads.fields import LeadContact, LeadFacts
from casetrail.leads.intake import Attachment, TipReceipt


def _count(session: Session, settings: Settings, ctx: RequestContext, scope: str, limit: int) -> None:
    try:
        ratelimit.hit(session, settings, scope=scope, client_addr=ctx.client_addr, limit=limit)
    finally:
        session.commit()


def submit_public_tip(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    *,
    facts: LeadFacts,
    contact: LeadContact,
    attachments: list[Attachment],
) -> TipReceipt:
    _count(session, settings, ctx, ratelimit.TIP_SCOPE, settings.leads.tips_per_window)
    return intake.submit_tip(
        session, ctx, settings, blob_store(settings), facts=facts, contact=contact, attachments=attachments
    )


def add_with_receipt(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    *,
    code: str,
    body: str,
    attachments: list[Attachment],
) -> list[Document]:
    _count(session, settings, ctx, ratelimit.RECEIPT_SCOPE, settings.leads.receipt_attempts_per_window)
    try:
        return intake.add_information(
            session, ctx, settings, blob_store(settings), code=code, body=body, attachments=attachments
        )
    except NotFound:
        session.commit()
        raise

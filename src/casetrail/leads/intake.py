"""Public tips: submission without an account, and information added later with the receipt code.

Nothing here records where a tip came from. The audit entries of public requests carry no
client address, and the rate limit stores only an HMAC of it for the length of its window
(see ``ratelimit``). A tipster who wants to be reached leaves contact details in the form.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.roles import Sensitivity
from casetrail.blobs.store import BlobStore
from casetrail.core.clock import utcnow
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings
from casetrail.documents.models import Document
from casetrail.documents.service import store_document
from casetrail.leads import grouping
from casetrail.leads.fields import Grading, LeadContact, LeadFacts, clean_contact, clean_facts
from casetrail.leads.models import Lead, LeadAddition
from casetrail.leads.receipts import canonical_code, hashes_match, new_receipt_code, receipt_hash
from casetrail.leads.records import new_lead, publish

log = get_logger(__name__)

TIPSTER = "tipster"
PUBLIC_FORM = "public tip form"
NO_SUCH_RECEIPT = "no tip has this receipt code: check the code you were given and type it again"


@dataclass(frozen=True)
class Attachment:
    """One uploaded file. ``size`` is the length when the caller already knows it."""

    file_name: str
    media_type: str
    stream: BinaryIO
    size: int | None = None


@dataclass(frozen=True)
class TipReceipt:
    code: str
    """Shown to the tipster once; only its hash is stored."""
    lead: Lead
    attachments: list[Document]


def public_context(ctx: RequestContext) -> RequestContext:
    """Drop the client address, so that the audit trail of a public request does not keep it."""
    return replace(ctx, client_addr=None)


def _check_attachments(settings: Settings, attachments: list[Attachment]) -> None:
    limits = settings.leads
    if len(attachments) > limits.max_attachments:
        raise ValidationFailed(
            f"{len(attachments)} files attached, at most {limits.max_attachments} are accepted",
            {"attachments": f"at most {limits.max_attachments} files"},
        )
    for item in attachments:
        if item.size is not None and item.size > limits.max_attachment_bytes:
            raise ValidationFailed(
                f"file {item.file_name[:80]!r} is larger than {limits.max_attachment_bytes} bytes",
                {"attachments": f"each file at most {limits.max_attachment_bytes // (1024 * 1024)} MiB"},
            )


def _store_attachments(
    session: Session, settings: Settings, blobs: BlobStore, lead: Lead, attachments: list[Attachment]
) -> list[Document]:
    return [
        store_document(
            session,
            blobs=blobs,
            source=item.stream,
            file_name=item.file_name,
            origin="tip",
            uploaded_by=TIPSTER,
            lead_id=lead.id,
            declared_media_type=item.media_type,
            max_bytes=settings.leads.max_attachment_bytes,
        )
        for item in attachments
    ]


def submit_tip(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    blobs: BlobStore,
    *,
    facts: LeadFacts,
    contact: LeadContact,
    attachments: list[Attachment],
) -> TipReceipt:
    """Store a public tip with its attachments, queue their ingestion and return the receipt code.

    The caller applies the rate limit first. The tip lands in the shared triage queue (no
    unit) in status new.
    """
    public = public_context(ctx)
    _check_attachments(settings, attachments)
    clean = clean_facts(facts, max_text_length=settings.leads.max_text_length)
    code = new_receipt_code()
    lead = new_lead(
        session,
        public,
        settings,
        kind="tip",
        channel="public_form",
        facts=clean,
        contact=clean_contact(contact),
        grading=Grading(),
        priority="normal",
        sensitivity=Sensitivity.RESTRICTED,
        recorded_by=PUBLIC_FORM,
        receipt_hash=receipt_hash(code),
    )
    documents = _store_attachments(session, settings, blobs, lead, attachments)
    grouping.regroup(session, lead, settings)
    publish(
        session,
        public,
        lead,
        AuditAction.TIP_SUBMIT,
        operation="create",
        changed=[],
        detail={"attachments": len(documents), "anonymous": contact.anonymous},
    )
    log.info("tip_received", lead_id=lead.id, attachments=len(documents))
    return TipReceipt(code=code, lead=lead, attachments=documents)


def find_by_receipt(session: Session, code: str) -> Lead | None:
    canonical = canonical_code(code)
    if canonical is None:
        return None
    candidate = receipt_hash(canonical)
    lead = session.execute(select(Lead).where(Lead.receipt_hash == candidate)).scalar_one_or_none()
    if lead is None or lead.receipt_hash is None or not hashes_match(lead.receipt_hash, candidate):
        return None
    return lead


def add_information(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    blobs: BlobStore,
    *,
    code: str,
    body: str,
    attachments: list[Attachment],
) -> list[Document]:
    """Add text and files to the tip of receipt code ``code``.

    A wrong code raises ``NotFound`` after its audit entry is queued. The caller commits before
    it returns the error, so that failed attempts stay on record.
    """
    public = public_context(ctx)
    lead = find_by_receipt(session, code)
    if lead is None:
        record(
            session,
            public.audit_source,
            AuditAction.TIP_RECEIPT_FAILED,
            object_type="lead",
            outcome="failure",
        )
        raise NotFound(NO_SUCH_RECEIPT)
    text = body.strip()
    if len(text) > settings.leads.max_text_length:
        raise ValidationFailed(
            f"the text is longer than {settings.leads.max_text_length} characters", {"body": "too long"}
        )
    if not text and not attachments:
        raise ValidationFailed("add some text or a file", {"body": "missing"})
    _check_attachments(settings, attachments)
    if text:
        session.add(LeadAddition(lead_id=lead.id, body=text, added_by=TIPSTER, created_at=utcnow()))
    documents = _store_attachments(session, settings, blobs, lead, attachments)
    lead.updated_at = utcnow()
    session.flush()
    grouping.regroup(session, lead, settings)
    publish(
        session,
        public,
        lead,
        AuditAction.TIP_ADDITION,
        operation="update",
        changed=["additions"],
        detail={"attachments": len(documents), "text": bool(text)},
    )
    log.info("tip_information_added", lead_id=lead.id, attachments=len(documents))
    return documents

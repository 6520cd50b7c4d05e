"""Reading a tip attachment through its lead: whoever may see the lead may download its files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import LeadPermission
from casetrail.blobs.store import BlobStore
from casetrail.core.errors import NotFound
from casetrail.documents.models import Document
from casetrail.leads.access import open_lead


@dataclass(frozen=True)
class AttachmentContent:
    document: Document
    chunks: Iterator[bytes]


def open_attachment(
    session: Session, ctx: RequestContext, blobs: BlobStore, reference: str, document_id: str
) -> AttachmentContent:
    """Return a file of lead ``reference`` with its content stream, and audit the read."""
    access = open_lead(session, ctx, reference, LeadPermission.READ, "lead.attachment_read")
    document = session.get(Document, document_id)
    if document is None or document.lead_id != access.lead.id or document.case_id is not None:
        raise NotFound(f"attachment {document_id} of lead {reference} not found")
    record(
        session,
        ctx.audit_source,
        AuditAction.LEAD_ATTACHMENT_READ,
        object_type="document",
        object_id=document.id,
        detail={"lead_id": access.lead.id},
    )
    return AttachmentContent(document=document, chunks=blobs.read(document.sha256))

"""Review steps: submit, return with comments, approve (which issues the PDF) and file.

Approval renders the latest version once more with the approver in its footer, stores that PDF
in the blob store and as a document of the case (origin ``issued``), and records its SHA-256 on
the version. From then on the document is immutable and every download serves those bytes.
"""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.blobs.store import BlobStore
from casetrail.cases.service import check_version
from casetrail.core.clock import utcnow
from casetrail.core.errors import InvalidTransition, ValidationFailed
from casetrail.core.logging import get_logger
from casetrail.documents.service import store_document
from casetrail.legal import facts
from casetrail.legal.definitions import parse_definition
from casetrail.legal.models import LegalDocument, LegalDocumentVersion, LegalTemplateVersion
from casetrail.legal.service import (
    OpenedDocument,
    add_event,
    author_ids,
    get_version,
    open_document,
    render_version,
)
from casetrail.legal.workflow import TRANSITIONS, DocumentStatus, ReviewAction

log = get_logger(__name__)

MAX_COMMENT_LENGTH = 10_000
MAX_REFERENCE_LENGTH = 300

_AUDIT = {
    ReviewAction.SUBMIT: AuditAction.LEGAL_SUBMIT,
    ReviewAction.RETURN: AuditAction.LEGAL_RETURN,
    ReviewAction.APPROVE: AuditAction.LEGAL_APPROVE,
    ReviewAction.FILE: AuditAction.LEGAL_FILE,
}


def _clean_comment(comment: str) -> str:
    cleaned = comment.replace("\r\n", "\n").strip()
    if len(cleaned) > MAX_COMMENT_LENGTH:
        raise ValidationFailed(
            f"the comment has {len(cleaned)} characters, at most {MAX_COMMENT_LENGTH} are allowed",
            {"comment": "too long"},
        )
    return cleaned


def _step(
    session: Session,
    ctx: RequestContext,
    opened: OpenedDocument,
    action: ReviewAction,
    *,
    expected_version: int | None,
    comment: str,
) -> str:
    """Check the transition, move the document and record the event; return the old status."""
    document = opened.document
    check_version("legal document", document.id, document.version, expected_version)
    allowed_from, target = TRANSITIONS[action]
    current = DocumentStatus(document.status)
    if current not in allowed_from:
        raise InvalidTransition(
            f"legal document {document.id} is {current}: it cannot be {target} now "
            f"(allowed from {', '.join(sorted(allowed_from))})"
        )
    document.status = target.value
    document.updated_at = utcnow()
    add_event(session, ctx, document, action, from_status=current.value, comment=comment)
    record(
        session,
        ctx.audit_source,
        _AUDIT[action],
        object_type="legal_document",
        object_id=document.id,
        case_id=document.case_id,
        detail={"version": document.latest_version, "from": current.value, "to": target.value},
    )
    return current.value


def submit(
    session: Session,
    ctx: RequestContext,
    number: str,
    document_id: str,
    *,
    expected_version: int | None,
    comment: str = "",
) -> LegalDocument:
    """Submit the latest version for review; every required field must be filled."""
    opened = open_document(
        session, ctx, number, document_id, CasePermission.WRITE, attempted="legal.submit", lock=True
    )
    latest = get_version(session, opened.document)
    template_row = session.get(LegalTemplateVersion, latest.template_version_id)
    assert template_row is not None
    missing = facts.missing_required(
        parse_definition(template_row.definition, opened.template.key), latest.inputs
    )
    if missing:
        raise ValidationFailed(
            f"fill in the required fields before submitting: {', '.join(missing)}",
            dict.fromkeys(missing, "required"),
        )
    _step(
        session,
        ctx,
        opened,
        ReviewAction.SUBMIT,
        expected_version=expected_version,
        comment=_clean_comment(comment),
    )
    session.flush()
    return opened.document


def _open_for_review(
    session: Session, ctx: RequestContext, number: str, document_id: str, attempted: str
) -> OpenedDocument:
    opened = open_document(
        session, ctx, number, document_id, CasePermission.READ, attempted=attempted, lock=True
    )
    policy.require_legal_review(
        ctx,
        permissions=opened.access.permissions,
        author_ids=author_ids(session, opened.document),
        document_id=document_id,
        attempted=attempted,
    )
    return opened


def return_document(
    session: Session,
    ctx: RequestContext,
    number: str,
    document_id: str,
    *,
    expected_version: int | None,
    comment: str,
) -> LegalDocument:
    """Return a submitted document to its author with the reviewer's comments (required)."""
    cleaned = _clean_comment(comment)
    if not cleaned:
        raise ValidationFailed(
            "say what must change: a returned document needs comments", {"comment": "missing"}
        )
    opened = _open_for_review(session, ctx, number, document_id, "legal.return")
    _step(session, ctx, opened, ReviewAction.RETURN, expected_version=expected_version, comment=cleaned)
    session.flush()
    return opened.document


def _store_issued(
    session: Session,
    ctx: RequestContext,
    store: BlobStore,
    opened: OpenedDocument,
    *,
    version: LegalDocumentVersion,
    pdf: bytes,
) -> None:
    """Store an issued PDF as a document of the case and record its hash on the version."""
    document = opened.document
    safe_title = "".join(char if char.isalnum() or char in "-_ " else "_" for char in document.title)[
        :80
    ].strip()
    stored = store_document(
        session,
        blobs=store,
        source=io.BytesIO(pdf),
        file_name=f"{safe_title or 'document'} v{version.number}.pdf",
        origin="issued",
        uploaded_by=ctx.actor.username,
        uploaded_by_id=ctx.actor.user_id,
        case_id=document.case_id,
        declared_media_type="application/pdf",
    )
    version.pdf_sha256 = stored.sha256
    version.pdf_size = stored.size
    document.case_document_id = stored.id
    log.info(
        "legal_document_issued", document_id=document.id, version=version.number, case_document_id=stored.id
    )


def issue(
    session: Session, ctx: RequestContext, store: BlobStore, opened: OpenedDocument, approver: str
) -> LegalDocumentVersion:
    """Render the latest version with its approver, store it, and return the sealed version."""
    version = get_version(session, opened.document)
    version.issued_at = utcnow()
    version.approved_by = approver
    pdf = render_version(session, opened, version)
    _store_issued(session, ctx, store, opened, version=version, pdf=pdf)
    return version


def approve(
    session: Session,
    ctx: RequestContext,
    store: BlobStore,
    number: str,
    document_id: str,
    *,
    expected_version: int | None,
    comment: str = "",
) -> LegalDocumentVersion:
    """Approve a submitted document (a supervisor of the case's unit who is not its author)."""
    opened = _open_for_review(session, ctx, number, document_id, "legal.approve")
    _step(
        session,
        ctx,
        opened,
        ReviewAction.APPROVE,
        expected_version=expected_version,
        comment=_clean_comment(comment),
    )
    version = issue(session, ctx, store, opened, approver=ctx.actor.username)
    session.flush()
    return version


def file_document(
    session: Session,
    ctx: RequestContext,
    number: str,
    document_id: str,
    *,
    expected_version: int | None,
    reference: str,
) -> LegalDocument:
    """Record that the approved document was filed, with the court's or office's reference."""
    cleaned = " ".join(reference.split())
    if not cleaned or len(cleaned) > MAX_REFERENCE_LENGTH:
        raise ValidationFailed(
            "give the filing reference (court or office and its number), "
            f"at most {MAX_REFERENCE_LENGTH} characters",
            {"reference": "missing or too long"},
        )
    opened = open_document(
        session, ctx, number, document_id, CasePermission.READ, attempted="legal.file", lock=True
    )
    policy.require_legal_filing(ctx, permissions=opened.access.permissions, document_id=document_id)
    _step(session, ctx, opened, ReviewAction.FILE, expected_version=expected_version, comment=cleaned)
    opened.document.filed_reference = cleaned
    session.flush()
    return opened.document

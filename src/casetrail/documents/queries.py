"""Reading documents: lists with status, one document with its pages and children, originals.

Every read of content (a document, a page, an image, the original) is audited. Status polls
(``document_statuses``) return ids, statuses and failure reasons only and are not audited, so
an upload page that refreshes every few seconds does not fill the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import DocumentAction
from casetrail.blobs.store import BlobStore
from casetrail.cases.models import Case
from casetrail.core.errors import IntegrityFailed, NotFound, ValidationFailed
from casetrail.core.logging import get_logger
from casetrail.documents.access import DocumentAccess, open_document
from casetrail.documents.models import DOCUMENT_STATUSES, Document, DocumentMention, DocumentPage
from casetrail.documents.service import INGEST_JOB, open_case_for_documents
from casetrail.jobs.models import Job

log = get_logger(__name__)

MAX_PAGE_SIZE = 200
MAX_STATUS_IDS = 200


@dataclass(frozen=True)
class DocumentList:
    items: list[Document]
    total: int
    case: Case


@dataclass(frozen=True)
class PageSummary:
    page_no: int
    ocr: bool
    has_image: bool
    chars: int


@dataclass(frozen=True)
class DocumentView:
    access: DocumentAccess
    pages: list[PageSummary]
    children: list[Document]
    parent: Document | None
    mention_counts: dict[str, int]
    """Suggested, accepted and dismissed mentions, by status."""

    @property
    def document(self) -> Document:
        return self.access.document


@dataclass(frozen=True)
class StoredContent:
    document: Document
    media_type: str
    file_name: str
    chunks: Iterator[bytes]


def list_documents(
    session: Session,
    ctx: RequestContext,
    number: str,
    *,
    status: str | None = None,
    include_children: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> DocumentList:
    """List a case's documents, newest first; uploads only unless ``include_children``."""
    case = open_case_for_documents(session, ctx, number, DocumentAction.READ)
    check_page(limit, offset)
    conditions = [Document.case_id == case.id]
    if status is not None:
        if status not in DOCUMENT_STATUSES:
            raise ValidationFailed(
                f"unknown status {status!r}", {"status": f"one of {', '.join(DOCUMENT_STATUSES)}"}
            )
        conditions.append(Document.status == status)
    if not include_children:
        conditions.append(Document.parent_id.is_(None))
    total = session.execute(select(func.count()).select_from(Document).where(*conditions)).scalar_one()
    items = session.execute(
        select(Document)
        .where(*conditions)
        .order_by(Document.created_at.desc(), Document.id)
        .limit(limit)
        .offset(offset)
    ).scalars()
    record(
        session,
        ctx.audit_source,
        AuditAction.DOCUMENT_LIST,
        object_type="case",
        object_id=case.id,
        detail={"status": status, "offset": offset},
    )
    return DocumentList(items=list(items), total=total, case=case)


def check_page(limit: int, offset: int) -> None:
    """Reject a page size outside 1 to ``MAX_PAGE_SIZE`` or a negative offset."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"invalid limit {limit}", {"limit": f"1 to {MAX_PAGE_SIZE}"})
    if offset < 0:
        raise ValidationFailed(f"invalid offset {offset}", {"offset": "0 or more"})


def document_statuses(
    session: Session, ctx: RequestContext, number: str, document_ids: Sequence[str]
) -> list[Document]:
    """Return the listed documents of case ``number`` (ids not in the case are left out)."""
    case = open_case_for_documents(session, ctx, number, DocumentAction.READ)
    if len(document_ids) > MAX_STATUS_IDS:
        raise ValidationFailed(f"{len(document_ids)} ids given", {"ids": f"at most {MAX_STATUS_IDS}"})
    if not document_ids:
        return []
    query = select(Document).where(Document.case_id == case.id, Document.id.in_(list(document_ids)))
    return list(session.execute(query).scalars())


def child_counts(session: Session, documents: Sequence[Document]) -> dict[str, int]:
    """Return how many direct children each of ``documents`` has, for ids with at least one.

    The caller has already read ``documents`` through an access check; children belong to the
    same case as their parent.
    """
    if not documents:
        return {}
    rows = session.execute(
        select(Document.parent_id, func.count())
        .where(Document.parent_id.in_([document.id for document in documents]))
        .group_by(Document.parent_id)
    ).all()
    return {parent_id: int(count) for parent_id, count in rows if parent_id is not None}


def get_document(session: Session, ctx: RequestContext, document_id: str) -> DocumentView:
    """Return a document with its page list, children, parent and mention counts. Audited."""
    access = open_document(session, ctx, document_id, DocumentAction.READ)
    document = access.document
    pages = session.execute(
        select(
            DocumentPage.page_no, DocumentPage.ocr, DocumentPage.image_sha256, func.length(DocumentPage.text)
        )
        .where(DocumentPage.document_id == document.id)
        .order_by(DocumentPage.page_no)
    ).all()
    children = session.execute(
        select(Document).where(Document.parent_id == document.id).order_by(Document.created_at, Document.id)
    ).scalars()
    counts = session.execute(
        select(DocumentMention.status, func.count())
        .where(DocumentMention.document_id == document.id)
        .group_by(DocumentMention.status)
    ).all()
    parent = session.get(Document, document.parent_id) if document.parent_id else None
    _audit_read(session, ctx, document, "document")
    return DocumentView(
        access=access,
        pages=[PageSummary(row[0], row[1], row[2] is not None, row[3] or 0) for row in pages],
        children=list(children),
        parent=parent,
        mention_counts={row[0]: row[1] for row in counts},
    )


def get_page(session: Session, ctx: RequestContext, document_id: str, page_no: int) -> DocumentPage:
    """Return one page of text. Audited."""
    access = open_document(session, ctx, document_id, DocumentAction.READ)
    page = session.get(DocumentPage, (access.document.id, page_no))
    if page is None:
        raise NotFound(f"page {page_no} of document {document_id} not found")
    _audit_read(session, ctx, access.document, f"page {page_no}")
    return page


def get_pages(session: Session, ctx: RequestContext, document_id: str) -> list[DocumentPage]:
    """Return every page of text, in order. Audited."""
    access = open_document(session, ctx, document_id, DocumentAction.READ)
    pages = session.execute(
        select(DocumentPage)
        .where(DocumentPage.document_id == access.document.id)
        .order_by(DocumentPage.page_no)
    ).scalars()
    _audit_read(session, ctx, access.document, "pages")
    return list(pages)


def open_page_image(
    session: Session, ctx: RequestContext, blobs: BlobStore, document_id: str, page_no: int
) -> StoredContent:
    """Return the rendered image (PNG) of a page. Audited."""
    page = get_page(session, ctx, document_id, page_no)
    if page.image_sha256 is None:
        raise NotFound(f"page {page_no} of document {document_id} has no image")
    document = session.get_one(Document, document_id)
    name = f"{document.id}-page-{page_no}.png"
    return StoredContent(document, "image/png", name, _checked(blobs, page.image_sha256, document.id))


def open_original(session: Session, ctx: RequestContext, blobs: BlobStore, document_id: str) -> StoredContent:
    """Return the stored original, checked chunk by chunk as it is read. Audited."""
    access = open_document(session, ctx, document_id, DocumentAction.READ)
    document = access.document
    record(
        session,
        ctx.audit_source,
        AuditAction.DOCUMENT_DOWNLOAD,
        object_type="document",
        object_id=document.id,
        case_id=document.case_id,
        detail={"sha256": document.sha256, "size": document.size},
    )
    media_type = document.media_type or document.declared_media_type or "application/octet-stream"
    return StoredContent(
        document, media_type, document.file_name, _checked(blobs, document.sha256, document.id)
    )


def _checked(blobs: BlobStore, sha256: str, document_id: str) -> Iterator[bytes]:
    try:
        yield from blobs.read(sha256)
    except IntegrityFailed:
        log.error("document_blob_integrity_failed", document_id=document_id, sha256=sha256)
        raise


def _audit_read(session: Session, ctx: RequestContext, document: Document, part: str) -> None:
    record(
        session,
        ctx.audit_source,
        AuditAction.DOCUMENT_READ,
        object_type="document",
        object_id=document.id,
        case_id=document.case_id,
        detail={"part": part},
    )


def ingestion_status(session: Session, ctx: RequestContext, document_id: str) -> tuple[Document, Job | None]:
    """Return a document and its latest ingestion job (None for a document never queued)."""
    access = open_document(session, ctx, document_id, DocumentAction.READ)
    job = session.execute(
        select(Job)
        .where(Job.kind == INGEST_JOB, Job.payload["document_id"].as_string() == access.document.id)
        .order_by(Job.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return access.document, job

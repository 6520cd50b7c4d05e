"""Database side of ingestion: status changes and writing what an extractor returned."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, aliased

from casetrail.core.clock import utcnow
from casetrail.core.logging import get_logger
from casetrail.db.engine import transaction
from casetrail.db.outbox import emit
from casetrail.documents.extract.base import ExtractedChild, ExtractedPage, Extraction
from casetrail.documents.identifiers import find_identifiers
from casetrail.documents.models import Document, DocumentMention, DocumentPage
from casetrail.documents.service import INGEST_JOB, store_document
from casetrail.jobs.models import Job
from casetrail.jobs.types import JobContext

log = get_logger(__name__)

MAX_REASON_LENGTH = 2000
# Suggestions kept per document; a ledger of thousands of pages stays usable in the viewer.
MAX_MENTIONS = 5000
# Keys written when the document was stored (where a copied tip attachment came from), which
# ingestion must keep when it replaces the rest of ``meta`` with what the extractor read.
_KEPT_META_KEYS = ("provenance",)


@dataclass(frozen=True)
class IngestTarget:
    sha256: str
    case_id: str | None
    depth: int


def begin_ingestion(context: JobContext, document_id: str) -> IngestTarget | None:
    """Mark the document ``processing``; return None when it is gone or already ingested."""
    with transaction(context.sessions) as session:
        document = session.get(Document, document_id, with_for_update=True)
        if document is None:
            log.warning("document_ingest_missing", document_id=document_id, job_id=context.job_id)
            return None
        if document.status == "ingested":
            log.info("document_ingest_skipped", document_id=document_id, status=document.status)
            return None
        document.status = "processing"
        document.failure_reason = None
        document.attempts += 1
        return IngestTarget(sha256=document.sha256, case_id=document.case_id, depth=document.depth)


def mark_failed(session: Session, document_id: str, reason: str, *, media_type: str = "") -> None:
    document = session.get(Document, document_id, with_for_update=True)
    if document is None:
        return
    document.status = "failed"
    document.failure_reason = reason[:MAX_REASON_LENGTH]
    if media_type:
        document.media_type = media_type
    emit(
        session,
        object_type="document",
        object_id=document.id,
        operation="update",
        case_id=document.case_id,
        payload={"status": "failed"},
    )


def save_extraction(
    session: Session, context: JobContext, document_id: str, media_type: str, extraction: Extraction
) -> None:
    """Write pages, metadata, children and mentions and mark the document ``ingested``."""
    document = session.get_one(Document, document_id, with_for_update=True)
    session.execute(delete(DocumentMention).where(DocumentMention.document_id == document.id))
    session.execute(delete(DocumentPage).where(DocumentPage.document_id == document.id))
    pages = [_page_row(context, document, page) for page in extraction.pages]
    session.add_all(pages)
    children = _store_children(session, context, document, extraction.children)
    mentions = _mention_rows(context, document, pages)
    session.add_all(mentions)

    document.media_type = media_type or extraction.media_type
    document.title = _clip(extraction.title, 1000)
    document.author = _clip(extraction.author, 500)
    document.document_date = _aware(extraction.document_date)
    document.page_count = len(pages)
    kept = {key: document.meta[key] for key in _KEPT_META_KEYS if key in (document.meta or {})}
    document.meta = {**_json_safe(extraction.meta), **kept}
    document.status = "ingested"
    document.failure_reason = None
    document.ingested_at = utcnow()
    emit(
        session,
        object_type="document",
        object_id=document.id,
        operation="update",
        case_id=document.case_id,
        payload={"status": "ingested"},
    )
    log.info(
        "document_ingested",
        document_id=document.id,
        case_id=document.case_id,
        media_type=document.media_type,
        pages=len(pages),
        children=children,
        mentions=len(mentions),
    )


def _page_row(context: JobContext, document: Document, page: ExtractedPage) -> DocumentPage:
    image_sha256 = None
    if page.image_png:
        image_sha256 = context.blobs.put(io.BytesIO(page.image_png)).sha256
    return DocumentPage(
        document_id=document.id,
        page_no=page.page_no,
        case_id=document.case_id,
        # PostgreSQL text cannot contain NUL characters.
        text=page.text.replace("\x00", ""),
        ocr=page.ocr,
        image_sha256=image_sha256,
    )


def _store_children(
    session: Session, context: JobContext, document: Document, children: list[ExtractedChild]
) -> int:
    max_depth = context.settings.documents.max_depth
    for child in children:
        too_deep = document.depth + 1 > max_depth
        with child.path.open("rb") as source:
            stored = store_document(
                session,
                blobs=context.blobs,
                source=source,
                file_name=child.file_name,
                origin="child",
                uploaded_by=document.uploaded_by,
                uploaded_by_id=document.uploaded_by_id,
                declared_media_type=child.declared_media_type,
                parent=document,
                ingest=not too_deep,
                max_attempts=context.settings.documents.ingest_attempts,
            )
        if too_deep:
            stored.status = "failed"
            stored.failure_reason = (
                f"not read: nested {stored.depth} levels deep, more than the limit of {max_depth} "
                "(CASETRAIL_DOCUMENTS__MAX_DEPTH); the file is stored and can be downloaded"
            )
    return len(children)


def _mention_rows(
    context: JobContext, document: Document, pages: list[DocumentPage]
) -> list[DocumentMention]:
    region = context.settings.documents.phone_region or None
    rows: list[DocumentMention] = []
    for page in pages:
        for finding in find_identifiers(page.text, phone_region=region):
            if len(rows) >= MAX_MENTIONS:
                return rows
            rows.append(
                DocumentMention(
                    document_id=document.id,
                    case_id=document.case_id,
                    page_no=page.page_no,
                    kind=finding.kind,
                    value=finding.value,
                    normalized=finding.normalized,
                    status="suggested",
                )
            )
    return rows


def _clip(value: str | None, length: int) -> str:
    return (value or "").replace("\x00", "").strip()[:length]


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    # Extractors return naive times when the file names no offset; they are stored as UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _json_safe(meta: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(meta, default=str).replace("\\u0000", "")
    result: dict[str, Any] = json.loads(text)
    return result


def fail_abandoned(context: JobContext) -> int:
    """Mark failed the documents whose ingestion job ran out of attempts without a result.

    That happens when the worker died on every attempt (killed for memory, a crashing
    library). Returns how many documents were marked.
    """
    failed_job = aliased(Job)
    live_job = aliased(Job)
    document_key = failed_job.payload["document_id"].as_string()
    live_key = live_job.payload["document_id"].as_string()
    with transaction(context.sessions) as session:
        rows = session.execute(
            select(Document.id, failed_job.last_error)
            .join(failed_job, document_key == Document.id)
            .where(
                Document.status.in_(("queued", "processing")),
                failed_job.kind == INGEST_JOB,
                failed_job.status == "failed",
                ~exists().where(
                    live_job.kind == INGEST_JOB,
                    live_job.status.in_(("queued", "running")),
                    live_key == Document.id,
                ),
            )
            .limit(100)
        ).all()
        reasons: dict[str, str | None] = {row.id: row.last_error for row in rows}
        for document_id, last_error in reasons.items():
            reason = (
                f"ingestion stopped: {last_error or 'the worker stopped'}; the original is kept, retry later"
            )
            mark_failed(session, document_id, reason)
            log.warning("document_ingest_abandoned", document_id=document_id)
    return len(reasons)

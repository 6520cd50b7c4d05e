"""Documents: upload into a case, follow ingestion, read pages, download originals, decide mentions.

An upload returns 202 as soon as the files are stored and their ingestion is queued, and a
worker reads them in the background. Starlette spools each multipart file to a temporary file (in
memory up to 1 MiB) before the endpoint runs, so memory stays bounded and the database
transaction starts after the body has arrived. Several files in one request are stored
together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile, status
from fastapi.responses import Response, StreamingResponse

from casetrail.api.evidence_files import binary_response, content_disposition
from casetrail.api.openapi import error_responses
from casetrail.api.schemas.documents import (
    AcceptMentionIn,
    DocumentDetailOut,
    DocumentListOut,
    DocumentOut,
    DocumentStatusOut,
    DocumentSummaryOut,
    FromEvidenceIn,
    IngestionOut,
    LabelsIn,
    MentionDecisionOut,
    MentionOut,
    PageOut,
    UploadedOut,
)
from casetrail.blobs.factory import blob_store
from casetrail.blobs.store import BlobStore
from casetrail.core.settings import Settings
from casetrail.documents import families, mentions, queries, service
from casetrail.documents.models import DOCUMENT_STATUSES
from casetrail.documents.queries import StoredContent
from casetrail.documents.service import Upload
from casetrail.http.deps import Ctx, DbSession
from casetrail.http.state import get_state

router = APIRouter(tags=["documents"], responses=error_responses(404))

CASE_DOCUMENTS = "/cases/{number}/documents"
DOCUMENT = "/documents/{document_id}"


def document_store(request: Request) -> BlobStore:
    return blob_store(get_state(request).settings)


def app_settings(request: Request) -> Settings:
    return get_state(request).settings


Store = Annotated[BlobStore, Depends(document_store)]
AppSettings = Annotated[Settings, Depends(app_settings)]


@router.post(CASE_DOCUMENTS, status_code=status.HTTP_202_ACCEPTED, responses=error_responses(403, 409))
def upload(
    *,
    number: str,
    files: Annotated[list[UploadFile], File(description="One or more files; names keep no folder part.")],
    session: DbSession,
    ctx: Ctx,
    store: Store,
    settings: AppSettings,
) -> UploadedOut:
    """Upload files into a case (case writers). Returns once they are stored and queued.

    Follow each document's ``status`` (list, status or ingestion routes) until it is
    ``ingested`` or ``failed``.
    """
    uploads = [
        Upload(source=item.file, file_name=item.filename or "", declared_media_type=item.content_type or "")
        for item in files
    ]
    stored = service.upload_documents(session, ctx, number, blobs=store, settings=settings, uploads=uploads)
    return UploadedOut(documents=[DocumentSummaryOut.model_validate(document) for document in stored])


@router.post(
    CASE_DOCUMENTS + "/from-evidence",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(403, 409),
)
def ingest_evidence(
    *, number: str, body: FromEvidenceIn, session: DbSession, ctx: Ctx, store: Store, settings: AppSettings
) -> DocumentSummaryOut:
    """Ingest a digital evidence file of an item as a document of the case (case writers)."""
    document = service.ingest_evidence_file(
        session, ctx, number, body.item_number, blobs=store, settings=settings, file_id=body.file_id
    )
    return DocumentSummaryOut.model_validate(document)


@router.get(CASE_DOCUMENTS)
def list_documents(
    *,
    number: str,
    session: DbSession,
    ctx: Ctx,
    status_filter: Annotated[
        str | None, Query(alias="status", description=f"One of {', '.join(DOCUMENT_STATUSES)}.")
    ] = None,
    include_children: Annotated[
        bool, Query(description="Also list files read out of other documents.")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DocumentListOut:
    """List a case's documents, newest first, with their ingestion status. Audited."""
    listed = queries.list_documents(
        session,
        ctx,
        number,
        status=status_filter,
        include_children=include_children,
        limit=limit,
        offset=offset,
    )
    return DocumentListOut(
        items=[DocumentSummaryOut.model_validate(document) for document in listed.items],
        total=listed.total,
        limit=limit,
        offset=offset,
    )


@router.get(CASE_DOCUMENTS + "/status")
def document_statuses(
    number: str,
    session: DbSession,
    ctx: Ctx,
    ids: Annotated[list[str], Query(description="Document ids, up to 200.")],
) -> list[DocumentStatusOut]:
    """Return the status of the listed documents of the case, for polling during ingestion."""
    rows = queries.document_statuses(session, ctx, number, ids)
    return [DocumentStatusOut.model_validate(row) for row in rows]


@router.get(DOCUMENT)
def get_document(document_id: str, session: DbSession, ctx: Ctx) -> DocumentDetailOut:
    """Return a document's metadata, page list, children, ancestors, copies and mention counts. Audited."""
    view = queries.get_document(session, ctx, document_id)
    return DocumentDetailOut.from_view(view, families.get_lineage(session, ctx, document_id))


@router.get(DOCUMENT + "/ingestion")
def ingestion(document_id: str, session: DbSession, ctx: Ctx) -> IngestionOut:
    """Return a document's ingestion status with its latest job (attempts, next run, last error)."""
    document, job = queries.ingestion_status(session, ctx, document_id)
    return IngestionOut.build(document, job)


@router.get(DOCUMENT + "/pages/{page_no}")
def get_page(document_id: str, page_no: int, session: DbSession, ctx: Ctx) -> PageOut:
    """Return the text of one page (pages count from 1). Audited."""
    return PageOut.from_page(queries.get_page(session, ctx, document_id, page_no))


@router.get(
    DOCUMENT + "/pages/{page_no}/image",
    response_class=Response,
    responses=binary_response("image/png", "The rendered page, or a video keyframe, as PNG."),
)
def page_image(
    document_id: str, page_no: int, session: DbSession, ctx: Ctx, store: Store
) -> StreamingResponse:
    """Return a page's rendered image. Audited."""
    content = queries.open_page_image(session, ctx, store, document_id, page_no)
    return _stream(content, "inline")


@router.get(
    DOCUMENT + "/original",
    response_class=Response,
    responses=binary_response("application/octet-stream", "The stored original, checked as it is sent."),
)
def download_original(
    document_id: str,
    session: DbSession,
    ctx: Ctx,
    store: Store,
    inline: Annotated[
        bool, Query(description="Show in the browser (previews) instead of downloading.")
    ] = False,
) -> StreamingResponse:
    """Download the original file, streamed. Audited before the first byte is sent."""
    content = queries.open_original(session, ctx, store, document_id)
    return _stream(content, "inline" if inline else "attachment", content.document.size)


def _stream(content: StoredContent, disposition: str, size: int | None = None) -> StreamingResponse:
    # Reading the first chunk here turns a failed integrity check into an error response
    # instead of a cut-off body.
    first = next(content.chunks, b"")

    def body() -> Iterator[bytes]:
        yield first
        yield from content.chunks

    headers = {
        "Content-Disposition": content_disposition(disposition, content.file_name),
        "X-Content-Type-Options": "nosniff",
        # The original may be active content (HTML, SVG): it never runs in the application's origin.
        "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'",
    }
    if size is not None:
        headers["Content-Length"] = str(size)
    return StreamingResponse(body(), media_type=content.media_type, headers=headers)


@router.post(DOCUMENT + "/retry", status_code=status.HTTP_202_ACCEPTED, responses=error_responses(403, 409))
def retry(document_id: str, session: DbSession, ctx: Ctx, settings: AppSettings) -> DocumentOut:
    """Queue a failed document for ingestion again (case writers)."""
    return DocumentOut.model_validate(service.retry_document(session, ctx, settings, document_id))


@router.put(DOCUMENT + "/labels", responses=error_responses(403, 409))
def set_labels(document_id: str, body: LabelsIn, session: DbSession, ctx: Ctx) -> DocumentOut:
    """Replace a document's labels (case writers)."""
    document = service.set_labels(
        session, ctx, document_id, body.labels, expected_version=body.expected_version
    )
    return DocumentOut.model_validate(document)


@router.get(DOCUMENT + "/mentions")
def list_mentions(
    document_id: str,
    session: DbSession,
    ctx: Ctx,
    status_filter: Annotated[
        str | None, Query(alias="status", description="suggested, accepted or dismissed.")
    ] = None,
    kind: Annotated[str | None, Query(description="email, phone, iban, account, url or date.")] = None,
) -> list[MentionOut]:
    """List the identifiers found in a document, by page. Audited."""
    found = mentions.list_mentions(session, ctx, document_id, status=status_filter, kind=kind)
    return [MentionOut.model_validate(mention) for mention in found]


@router.post(DOCUMENT + "/mentions/{mention_id}/accept", responses=error_responses(403, 409))
def accept_mention(
    document_id: str,
    mention_id: str,
    session: DbSession,
    ctx: Ctx,
    body: AcceptMentionIn | None = None,
) -> MentionDecisionOut:
    """Record a suggested identifier as a fact of an entity, with the document as its source."""
    choice = body or AcceptMentionIn()
    decision = mentions.accept_mention(
        session,
        ctx,
        document_id,
        mention_id,
        entity_id=choice.entity_id,
        prop=choice.prop,
        schema=choice.schema_name,
    )
    return MentionDecisionOut(
        mention=MentionOut.model_validate(decision.mention), entity_id=decision.mention.entity_id
    )


@router.post(DOCUMENT + "/mentions/{mention_id}/dismiss", responses=error_responses(403, 409))
def dismiss_mention(document_id: str, mention_id: str, session: DbSession, ctx: Ctx) -> MentionDecisionOut:
    """Mark a suggestion as not a fact (case writers)."""
    decision = mentions.dismiss_mention(session, ctx, document_id, mention_id)
    return MentionDecisionOut(mention=MentionOut.model_validate(decision.mention), entity_id=None)

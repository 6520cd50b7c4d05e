"""Documents in the web UI: the case's documents tab with uploads, and the document viewer.

Uploads arrive as multipart parts that Starlette spools to temporary files. The page's script
sends each dropped file in its own request, asking for JSON, to show per-file progress; without
the script the form posts all files at once and the server redirects back to the list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from starlette.datastructures import UploadFile

from casetrail.blobs.factory import blob_store
from casetrail.blobs.store import BlobStore
from casetrail.core.settings import Settings
from casetrail.documents import mentions, queries, service
from casetrail.documents.queries import StoredContent
from casetrail.documents.service import Upload
from casetrail.http.deps import Ctx, DbSession
from casetrail.http.state import get_state
from casetrail.web.document_view import build_document_page, build_list_page
from casetrail.web.evidence_files import DOWNLOAD_HEADERS, uploaded_files
from casetrail.web.forms import see_other
from casetrail.web.templating import render

router = APIRouter()


def document_store(request: Request) -> BlobStore:
    return blob_store(get_state(request).settings)


def app_settings(request: Request) -> Settings:
    return get_state(request).settings


Store = Annotated[BlobStore, Depends(document_store)]
AppSettings = Annotated[Settings, Depends(app_settings)]
Uploads = Annotated[list[UploadFile], Depends(uploaded_files)]


def document_url(document_id: str, anchor: str = "") -> str:
    return f"/documents/{document_id}{anchor}"


@router.get("/cases/{number}/documents")
def documents_page(
    *,
    request: Request,
    number: str,
    session: DbSession,
    ctx: Ctx,
    status: Annotated[str, Query(max_length=32)] = "",
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    return render(
        request, "documents.html", build_list_page(session, ctx, number, status=status, offset=offset)
    )


@router.post("/cases/{number}/documents", response_model=None)
def upload(
    *,
    request: Request,
    number: str,
    session: DbSession,
    ctx: Ctx,
    store: Store,
    settings: AppSettings,
    uploads: Uploads,
) -> JSONResponse | RedirectResponse:
    files = [Upload(item.file, item.filename or "", item.content_type or "") for item in uploads]
    try:
        stored = service.upload_documents(session, ctx, number, blobs=store, settings=settings, uploads=files)
    finally:
        # The form was parsed by a dependency, so FastAPI does not close its spooled files.
        for item in uploads:
            item.file.close()
    if "application/json" in request.headers.get("accept", ""):
        body = {"documents": [{"id": d.id, "file_name": d.file_name, "status": d.status} for d in stored]}
        return JSONResponse(body, status_code=202)
    notice = (
        f"{len(stored)} file{'s' if len(stored) != 1 else ''} uploaded; ingestion runs in the background."
    )
    return see_other(f"/cases/{number}/documents", notice)


@router.get("/cases/{number}/documents/status")
def statuses(
    number: str,
    session: DbSession,
    ctx: Ctx,
    ids: Annotated[list[str] | None, Query(max_length=queries.MAX_STATUS_IDS)] = None,
) -> JSONResponse:
    """Return the status of listed documents for the list's automatic refresh."""
    rows = queries.document_statuses(session, ctx, number, ids or [])
    children = queries.child_counts(session, rows)
    return JSONResponse(
        [
            {
                "id": row.id,
                "status": row.status,
                "failure_reason": row.failure_reason,
                "page_count": row.page_count,
                "media_type": row.media_type,
                "children": children.get(row.id, 0),
            }
            for row in rows
        ]
    )


@router.get("/documents/{document_id}")
def document_page(
    *,
    request: Request,
    document_id: str,
    session: DbSession,
    ctx: Ctx,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    context = build_document_page(session, ctx, document_id, query=q, first_page=page)
    return render(request, "document.html", context)


@router.get("/documents/{document_id}/original")
def original(
    document_id: str,
    session: DbSession,
    ctx: Ctx,
    store: Store,
    inline: Annotated[bool, Query()] = False,
) -> StreamingResponse:
    content = queries.open_original(session, ctx, store, document_id)
    return _stream(content, "inline" if inline else "attachment", content.document.size)


@router.get("/documents/{document_id}/pages/{page_no}/image")
def page_image(
    document_id: str, page_no: int, session: DbSession, ctx: Ctx, store: Store
) -> StreamingResponse:
    return _stream(queries.open_page_image(session, ctx, store, document_id, page_no), "inline", None)


def disposition_header(disposition: str, file_name: str) -> str:
    """Return a Content-Disposition value; a non-ASCII name also goes in ``filename*`` (RFC 6266)."""
    fallback = "".join(char if " " <= char <= "~" and char not in '"\\' else "_" for char in file_name)
    value = f'{disposition}; filename="{fallback}"'
    if fallback != file_name:
        value += f"; filename*=UTF-8''{quote(file_name, safe='')}"
    return value


def _stream(content: StoredContent, disposition: str, size: int | None) -> StreamingResponse:
    first = next(content.chunks, b"")

    def body() -> Iterator[bytes]:
        yield first
        yield from content.chunks

    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": disposition_header(disposition, content.file_name)}
    if size is not None:
        headers["Content-Length"] = str(size)
    return StreamingResponse(body(), media_type=content.media_type, headers=headers)


@router.post("/documents/{document_id}/retry")
def retry(document_id: str, session: DbSession, ctx: Ctx, settings: AppSettings) -> RedirectResponse:
    service.retry_document(session, ctx, settings, document_id)
    return see_other(document_url(document_id), "Ingestion queued again.")


@router.post("/documents/{document_id}/labels")
def labels(
    document_id: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: Annotated[int, Form()],
    labels_text: Annotated[str, Form(alias="labels")] = "",
) -> RedirectResponse:
    chosen = [label for label in labels_text.split(",") if label.strip()]
    service.set_labels(session, ctx, document_id, chosen, expected_version=expected_version)
    return see_other(document_url(document_id), "Labels saved.")


@router.post("/documents/{document_id}/mentions/{mention_id}/accept")
def accept(
    *,
    document_id: str,
    mention_id: str,
    session: DbSession,
    ctx: Ctx,
    entity_id: Annotated[str, Form()] = "",
    target: Annotated[str, Form(max_length=16)] = "new",
) -> RedirectResponse:
    """Accept a mention as a new entity, or add it to ``entity_id`` (``target=existing``).

    FastAPI reads an empty form field as missing, so the "add to entity" form says which button
    was used in ``target``. Its empty "choose an entity" option then reaches the service, which
    rejects it, instead of creating a new entity.
    """
    chosen = entity_id if target == "existing" else (entity_id or None)
    decision = mentions.accept_mention(session, ctx, document_id, mention_id, entity_id=chosen)
    notice = f"{decision.mention.normalized} recorded as {decision.mention.prop} of an entity."
    return see_other(document_url(document_id, "#mentions"), notice)


@router.post("/documents/{document_id}/mentions/{mention_id}/dismiss")
def dismiss(document_id: str, mention_id: str, session: DbSession, ctx: Ctx) -> RedirectResponse:
    mentions.dismiss_mention(session, ctx, document_id, mention_id)
    return see_other(document_url(document_id, "#mentions"), "Suggestion dismissed.")

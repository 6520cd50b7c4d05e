"""Evidence files in the web UI: uploads, streamed downloads, and the label and custody report PDFs.

Uploads arrive as multipart form parts, which Starlette spools to temporary files, and stream from
there into the blob store. Downloads stream the checked plaintext out of the blob store in its
chunks, so neither direction reads a whole file into memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from casetrail.auth.context import RequestContext
from casetrail.blobs.factory import blob_store
from casetrail.blobs.store import BlobStore
from casetrail.core.errors import ValidationFailed
from casetrail.evidence import files as file_service
from casetrail.evidence import reports
from casetrail.evidence.workflow import FileKind
from casetrail.http.deps import Ctx, DbSession
from casetrail.http.state import get_state
from casetrail.web.forms import see_other

router = APIRouter()

# Headers of the PDFs Casetrail renders: never cached, never sniffed. They carry no sandbox
# policy, because Chromium does not open its PDF viewer in a sandboxed document.
PDF_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# Headers of evidence files and packages sent as downloads: a file that a browser opens
# directly anyway runs no script.
DOWNLOAD_HEADERS = {**PDF_HEADERS, "Content-Security-Policy": "sandbox; default-src 'none'"}


def evidence_store(request: Request) -> BlobStore:
    return blob_store(get_state(request).settings)


async def uploaded_files(request: Request) -> list[UploadFile]:
    """Return the files of the form's ``files`` inputs, leaving out inputs where none was chosen.

    Browsers send an empty file input as a part with an empty file name, which Starlette reads
    as an empty string. The form is parsed once per request and cached, so the CSRF check and
    this dependency read the same spooled files.
    """
    form = await request.form()
    return [value for value in form.getlist("files") if isinstance(value, UploadFile) and value.filename]


Store = Annotated[BlobStore, Depends(evidence_store)]
Uploads = Annotated[list[UploadFile], Depends(uploaded_files)]


def item_url(number: str, item_number: str, anchor: str = "") -> str:
    return f"/cases/{number}/evidence/{item_number}{anchor}"


def add_uploads(
    *,
    session: Session,
    ctx: RequestContext,
    store: BlobStore,
    number: str,
    item_number: str,
    uploads: list[UploadFile],
    kind: str = FileKind.ORIGINAL,
    derived_from: str | None = None,
) -> int:
    """Attach each uploaded file to the item. They share one transaction, so one failure stores none."""
    for upload in uploads:
        file_service.add_file(
            session,
            ctx,
            store,
            number,
            item_number,
            source=upload.file,
            file_name=upload.filename or "",
            kind=kind,
            derived_from=derived_from,
        )
    return len(uploads)


def files_added(count: int) -> str:
    return "1 file added." if count == 1 else f"{count} files added."


@router.post("/cases/{number}/evidence/{item_number:path}/files")
def upload_files(
    *,
    number: str,
    item_number: str,
    session: DbSession,
    ctx: Ctx,
    store: Store,
    uploads: Uploads,
    kind: Annotated[str, Form()] = FileKind.ORIGINAL,
    derived_from: Annotated[str, Form()] = "",
) -> RedirectResponse:
    if not uploads:
        raise ValidationFailed("no file was chosen: choose one or more files to upload", {"files": "missing"})
    count = add_uploads(
        session=session,
        ctx=ctx,
        store=store,
        number=number,
        item_number=item_number,
        uploads=uploads,
        kind=kind,
        derived_from=derived_from.strip() or None,
    )
    return see_other(item_url(number, item_number, "#files"), files_added(count))


def released_after_check(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Yield ``chunks``, each one only after the next has been read and checked.

    The whole-file SHA-256 and size are checked after the last chunk, so holding that chunk
    back until the check has passed means that a client which received ``Content-Length``
    bytes received a file that passed every check. At most two chunks are held in memory.
    """
    held: bytes | None = None
    for chunk in chunks:
        if held is not None:
            yield held
        held = chunk
    if held is not None:
        yield held


def attachment(file_name: str) -> str:
    """Return a Content-Disposition value naming ``file_name`` (RFC 6266, with an ASCII fallback)."""
    fallback = "".join(char if 32 <= ord(char) < 127 and char not in '"\\' else "_" for char in file_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


@router.get("/cases/{number}/evidence/{item_number:path}/files/{file_id}")
def download_file(
    *, number: str, item_number: str, file_id: str, session: DbSession, ctx: Ctx, store: Store
) -> StreamingResponse:
    download = file_service.open_download(session, ctx, store, number, item_number, file_id=file_id)
    stream = released_after_check(download.chunks)
    # Reading the first chunk here turns a missing or damaged blob into an error page instead of
    # a download that breaks off. A file of one chunk is checked completely before it is sent.
    first = next(stream, b"")
    evidence_file = download.file
    headers = {
        **DOWNLOAD_HEADERS,
        "Content-Disposition": attachment(evidence_file.file_name),
        "Content-Length": str(evidence_file.size),
    }
    return StreamingResponse(
        itertools.chain([first], stream), media_type=evidence_file.media_type, headers=headers
    )


def pdf_response(pdf: bytes, file_name: str) -> Response:
    safe_name = file_name.replace("/", "_")
    headers = {**PDF_HEADERS, "Content-Disposition": f'inline; filename="{safe_name}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/cases/{number}/evidence/{item_number:path}/label.pdf")
def label_pdf(number: str, item_number: str, session: DbSession, ctx: Ctx) -> Response:
    pdf = reports.item_label(session, ctx, number, item_number)
    return pdf_response(pdf, f"label-{number}-{item_number}.pdf")


@router.get("/cases/{number}/evidence/{item_number:path}/custody-report.pdf")
def item_report_pdf(
    request: Request, number: str, item_number: str, session: DbSession, ctx: Ctx
) -> Response:
    settings = get_state(request).settings
    pdf = reports.custody_report(session, ctx, settings, number, [item_number])
    return pdf_response(pdf, f"custody-{number}-{item_number}.pdf")

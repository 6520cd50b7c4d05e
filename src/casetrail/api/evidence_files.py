"""Digital evidence files of an item: upload, list, and download with every byte checked.

Two ways to upload, both with bounded memory:

- ``POST .../files`` takes a multipart form. Starlette spools the file part to a temporary file
  (in memory up to 1 MiB) before the endpoint runs, and the service reads that file.
- ``PUT .../files/{file_name}`` takes the raw bytes (``application/octet-stream``), the path for
  multi-gigabyte forensic images. The body is copied from the request stream into a temporary
  file under ``DATA_DIR/tmp``, and the service reads that file.

In both cases the database transaction that stores the file starts after the body has arrived,
so a slow client does not keep the embedded database's write lock. The service still keeps that
lock while it seals the file into the blob store (6.3 s for 2 GiB in bench/evidence_stream.py,
see docs/benchmarks.md).

A download streams the blob store's checked chunks. Each chunk is authenticated before it is
sent and the SHA-256 is checked at the end, so a file whose stored bytes changed is never served
as a complete download: the response fails with 500 when the first chunk fails, and the
connection is cut short (the client sees fewer bytes than Content-Length) when a later one does.
Either way the failure is logged and audited as a failed download.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Annotated, Any, BinaryIO, cast
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request, status
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from casetrail.api.evidence_items import EVIDENCE_PREFIX, ITEM, ItemNumber
from casetrail.api.openapi import error_responses
from casetrail.api.schemas.errors import ErrorEnvelope
from casetrail.api.schemas.evidence import EvidenceFileOut, EvidenceUpload
from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.blobs.factory import blob_store
from casetrail.blobs.store import BlobStore
from casetrail.cases.access import ensure_not_frozen
from casetrail.core.errors import IntegrityFailed, NotFound
from casetrail.core.logging import get_logger
from casetrail.db.engine import transaction
from casetrail.evidence import files
from casetrail.evidence.access import open_item
from casetrail.evidence.models import EvidenceFile
from casetrail.evidence.workflow import FileKind
from casetrail.http.deps import Ctx, DbSession
from casetrail.http.state import get_state

log = get_logger(__name__)

router = APIRouter(prefix=EVIDENCE_PREFIX, tags=["evidence files"], responses=error_responses(404))

# Bytes of request body gathered before one write to the spool file: fewer, larger writes.
SPOOL_WRITE_BYTES = 1024 * 1024
# A raw upload up to this size stays in memory, and a larger one goes to a file under DATA_DIR/tmp.
SPOOL_MEMORY_BYTES = 1024 * 1024

INTEGRITY_FAILED_RESPONSE: dict[int | str, dict[str, Any]] = {
    500: {
        "model": ErrorEnvelope,
        "description": (
            "The stored file failed its integrity check before the first byte was sent (integrity_failed)."
        ),
    }
}
BINARY_SCHEMA = {"type": "string", "format": "binary"}


def binary_response(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """Return the ``responses`` entry of a route whose 200 response is a file."""
    return {200: {"description": description, "content": {media_type: {"schema": BINARY_SCHEMA}}}}


def content_disposition(disposition: str, file_name: str) -> str:
    """Return a Content-Disposition value. A non-ASCII name also goes in ``filename*`` (RFC 6266)."""
    fallback = "".join(char if " " <= char <= "~" and char not in '"\\' else "_" for char in file_name)
    value = f'{disposition}; filename="{fallback}"'
    if fallback != file_name:
        value += f"; filename*=UTF-8''{quote(file_name, safe='')}"
    return value


def evidence_store(request: Request) -> BlobStore:
    return blob_store(get_state(request).settings)


Store = Annotated[BlobStore, Depends(evidence_store)]


@router.get(ITEM + "/files")
def list_files(number: str, item_number: ItemNumber, session: DbSession, ctx: Ctx) -> list[EvidenceFileOut]:
    """List the item's files, oldest first. The read is audited."""
    stored = files.list_files(session, ctx, number, item_number)
    return [EvidenceFileOut.model_validate(evidence_file) for evidence_file in stored]


@router.post(ITEM + "/files", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409))
def upload_form(
    *,
    number: str,
    item_number: ItemNumber,
    upload: Annotated[EvidenceUpload, Form(media_type="multipart/form-data")],
    session: DbSession,
    ctx: Ctx,
    store: Store,
) -> EvidenceFileOut:
    """Upload a file as a multipart form (case writers). Its SHA-256 enters the custody log."""
    stored = files.add_file(
        session,
        ctx,
        store,
        number,
        item_number,
        source=upload.file.file,
        file_name=upload.file.filename or "",
        kind=upload.kind,
        derived_from=upload.derived_from,
    )
    return EvidenceFileOut.model_validate(stored)


_RAW_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file's bytes, streamed.",
        "content": {"application/octet-stream": {"schema": BINARY_SCHEMA}},
    }
}


@router.put(
    ITEM + "/files/{file_name}",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(403, 409),
    openapi_extra=_RAW_BODY,
)
async def upload_raw(
    *,
    number: str,
    item_number: ItemNumber,
    file_name: str,
    request: Request,
    session: DbSession,
    ctx: Ctx,
    store: Store,
    kind: Annotated[FileKind, Query(description="original, or a copy derived from one.")] = FileKind.ORIGINAL,
    derived_from: Annotated[
        str | None, Query(description="For a copy: the SHA-256 of the original it was derived from.")
    ] = None,
) -> EvidenceFileOut:
    """Upload a file's raw bytes, streamed (case writers). Its SHA-256 enters the custody log.

    The caller's permission is checked before the body is read.
    """
    await run_in_threadpool(_check_upload, session, ctx, number, item_number)
    spool_dir = get_state(request).settings.data_dir / "tmp"
    await run_in_threadpool(spool_dir.mkdir, parents=True, exist_ok=True)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES, dir=str(spool_dir)) as spool:
        try:
            size = await _spool_body(request, spool)
        except ClientDisconnect:
            log.warning("evidence_upload_disconnected", request_id=ctx.request_id, item_number=item_number)
            raise
        log.info("evidence_upload_received", item_number=item_number, size=size)
        spool.seek(0)
        stored = await run_in_threadpool(
            files.add_file,
            session,
            ctx,
            store,
            number,
            item_number,
            source=cast(BinaryIO, spool),
            file_name=file_name,
            kind=kind,
            derived_from=derived_from,
        )
    return EvidenceFileOut.model_validate(stored)


def _check_upload(session: Session, ctx: RequestContext, number: str, item_number: str) -> None:
    """Reject a caller who may not add files before their body is read, then end the transaction.

    ``files.add_file`` repeats these checks. Committing here releases the embedded database's
    write lock, which the transaction took when the caller was identified, while the body arrives.
    """
    access = open_item(session, ctx, number, item_number, CasePermission.WRITE, attempted="evidence.file_add")
    ensure_not_frozen(access.case)
    session.commit()


async def _spool_body(request: Request, spool: IO[bytes]) -> int:
    """Copy the request body into ``spool`` and return its size in bytes.

    A client that disconnects early raises ``ClientDisconnect``, so a partial body is never stored.
    """
    size = 0
    pending = bytearray()
    async for chunk in request.stream():
        pending += chunk
        size += len(chunk)
        if len(pending) >= SPOOL_WRITE_BYTES:
            await run_in_threadpool(spool.write, pending)
            pending.clear()
    if pending:
        await run_in_threadpool(spool.write, pending)
    return size


@router.get(
    ITEM + "/files/{sha256}",
    response_class=Response,
    responses={
        **binary_response("application/octet-stream", "The file's bytes, checked as they are sent."),
        **INTEGRITY_FAILED_RESPONSE,
    },
)
def download(
    *,
    number: str,
    item_number: ItemNumber,
    sha256: str,
    request: Request,
    session: DbSession,
    ctx: Ctx,
    store: Store,
    kind: Annotated[
        FileKind | None,
        Query(description="Which file to return when the item contains this content more than once."),
    ] = None,
) -> StreamingResponse:
    """Download a file by its SHA-256. The download is audited before the first byte is sent.

    Headers: Content-Length, Content-Disposition with the original file name, and
    X-Content-SHA256. A failed integrity check cuts the body short.
    """
    file_id = _file_id(files.list_files(session, ctx, number, item_number), sha256, kind, item_number)
    opened = files.open_download(session, ctx, store, number, item_number, file_id=file_id)
    evidence_file = opened.file
    audit = _FailureAudit(
        factory=get_state(request).factory,
        ctx=ctx,
        file_id=evidence_file.id,
        item_id=evidence_file.item_id,
        case_id=evidence_file.case_id,
        sha256=evidence_file.sha256,
    )
    try:
        first = next(opened.chunks, b"")
    except (IntegrityFailed, NotFound) as error:
        failure = _as_integrity_failure(error, audit, item_number)
        # The download record rolls back with the request, and the failure is recorded in its place.
        # Rolling back expires the ORM objects, so the audit uses the plain values taken above.
        session.rollback()
        audit.record(0, failure)
        raise failure from error
    headers = {
        # Set here rather than through media_type, which would add a charset to text/* types.
        "Content-Type": evidence_file.media_type,
        "Content-Length": str(evidence_file.size),
        "Content-Disposition": content_disposition("attachment", evidence_file.file_name),
        "X-Content-SHA256": evidence_file.sha256,
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(_guarded(first, opened.chunks, audit), headers=headers)


def _file_id(stored: list[EvidenceFile], sha256: str, kind: FileKind | None, item_number: str) -> str:
    matches = [evidence_file for evidence_file in stored if evidence_file.sha256 == sha256.lower()]
    if kind is not None:
        matches = [evidence_file for evidence_file in matches if evidence_file.kind == kind]
    if not matches:
        raise NotFound(f"no file with SHA-256 {sha256} in evidence item {item_number}")
    originals = [evidence_file for evidence_file in matches if evidence_file.kind == FileKind.ORIGINAL]
    return (originals or matches)[0].id


@dataclass(frozen=True)
class _FailureAudit:
    """The audit record of a failed download, written in a transaction of its own.

    The request's transaction has ended by the time a later chunk fails.
    """

    factory: sessionmaker[Session]
    ctx: RequestContext
    file_id: str
    item_id: str
    case_id: str
    sha256: str

    def record(self, sent: int, error: IntegrityFailed) -> None:
        log.error(
            "evidence_download_failed",
            request_id=self.ctx.request_id,
            file_id=self.file_id,
            sha256=self.sha256,
            bytes_sent=sent,
        )
        try:
            with transaction(self.factory) as session:
                record(
                    session,
                    self.ctx.audit_source,
                    AuditAction.EVIDENCE_DOWNLOAD,
                    object_type="evidence_file",
                    object_id=self.file_id,
                    case_id=self.case_id,
                    outcome="failure",
                    detail={
                        "item_id": self.item_id,
                        "sha256": self.sha256,
                        "bytes_sent": sent,
                        "error": error.code,
                    },
                )
        except Exception:
            log.exception("evidence_download_failure_audit_failed", request_id=self.ctx.request_id)


def _as_integrity_failure(error: Exception, audit: _FailureAudit, item_number: str) -> IntegrityFailed:
    if isinstance(error, IntegrityFailed):
        return error
    # The file row exists but its blob is gone. The store's own message would name a server path.
    log.error("evidence_blob_missing", file_id=audit.file_id, sha256=audit.sha256)
    return IntegrityFailed(
        f"file {audit.file_id} of evidence item {item_number}: its stored content "
        f"({audit.sha256}) is missing from the blob store"
    )


def _guarded(first: bytes, rest: Iterator[bytes], audit: _FailureAudit) -> Iterator[bytes]:
    """Yield the checked chunks. A failed check is audited and re-raised, which cuts the body short."""
    sent = len(first)
    yield first
    try:
        for chunk in rest:
            yield chunk
            sent += len(chunk)
    except IntegrityFailed as error:
        audit.record(sent, error)
        raise

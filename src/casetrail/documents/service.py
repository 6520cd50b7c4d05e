"""Documents of a case: store, upload, ingest evidence files, retry and label.

``store_document`` is the one way a document comes into being, for uploads, evidence files,
child documents, tip attachments and issued documents alike. It makes no permission decision:
its callers check access first. The row, the ``documents.ingest`` job and the outbox event
commit in the caller's transaction, so a committed document always has its job.

NOTE: the blob is sealed before the transaction commits. If the transaction then rolls back,
the sealed blob stays in the store without a row; it is harmless (content-addressed and
encrypted) and a later upload of the same content reuses it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission, DocumentAction
from casetrail.blobs.store import BlobStore
from casetrail.cases.access import ensure_not_frozen, guard_for
from casetrail.cases.models import Case
from casetrail.cases.service import check_version
from casetrail.core.errors import InvalidTransition, NotFound, ValidationFailed
from casetrail.core.ids import new_id
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings
from casetrail.db.outbox import emit
from casetrail.documents.access import open_document
from casetrail.documents.models import DOCUMENT_ORIGINS, Document
from casetrail.evidence.access import open_item
from casetrail.evidence.files import clean_file_name
from casetrail.evidence.models import EvidenceFile
from casetrail.jobs.queue import enqueue

log = get_logger(__name__)

INGEST_JOB = "documents.ingest"
MAX_FILE_NAME_LENGTH = 500
MAX_MEDIA_TYPE_LENGTH = 200
READ_CHUNK = 1024 * 1024
MAX_LABELS = 20
LABEL_PATTERN = re.compile(r"[\w .:-]{1,64}")


class LimitedReader:
    """A binary stream that raises ``ValidationFailed`` once more than ``max_bytes`` were read."""

    def __init__(self, source: BinaryIO, max_bytes: int, file_name: str) -> None:
        self._source = source
        self._max_bytes = max_bytes
        self._file_name = file_name
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size if size >= 0 else READ_CHUNK)
        self.bytes_read += len(data)
        if self.bytes_read > self._max_bytes:
            raise ValidationFailed(
                f"file {self._file_name!r} is larger than the limit of {self._max_bytes} bytes",
                {"file": f"at most {self._max_bytes} bytes (CASETRAIL_DOCUMENTS__MAX_UPLOAD_BYTES)"},
            )
        return data


def clean_document_name(name: str) -> str:
    """Keep a file name as given (archive members keep their path), without control characters."""
    cleaned = "".join(char for char in name if char.isprintable()).strip()
    if not cleaned:
        raise ValidationFailed(f"invalid file name {name!r}", {"file_name": "give the file's name"})
    if len(cleaned) > MAX_FILE_NAME_LENGTH:
        # Keep the end, which carries the extension and the member's own name.
        cleaned = "..." + cleaned[-(MAX_FILE_NAME_LENGTH - 3) :]
    return cleaned


def _check_owner(case_id: str | None, lead_id: str | None, parent: Document | None) -> None:
    if parent is not None:
        return
    if case_id is None and lead_id is None:
        raise ValidationFailed(
            "a document belongs to a case or a lead", {"case_id": "give a case id or a lead id"}
        )


def store_document(
    session: Session,
    *,
    blobs: BlobStore,
    source: BinaryIO,
    file_name: str,
    origin: str,
    uploaded_by: str,
    uploaded_by_id: str | None = None,
    case_id: str | None = None,
    lead_id: str | None = None,
    declared_media_type: str = "",
    parent: Document | None = None,
    evidence_file_id: str | None = None,
    max_bytes: int | None = None,
    ingest: bool = True,
    max_attempts: int = 3,
) -> Document:
    """Seal ``source`` into the blob store, add its document row and queue its ingestion.

    A child document (``parent`` given) takes its case and lead from the parent, sits one level
    deeper and shares its ``root_id``. ``max_bytes`` rejects a larger stream with
    ``ValidationFailed`` before any row is written. With ``ingest=False`` no job is queued (the
    caller sets the status itself). The caller checks permissions and commits.
    """
    if origin not in DOCUMENT_ORIGINS:
        raise ValidationFailed(
            f"unknown document origin {origin!r}", {"origin": f"one of {', '.join(DOCUMENT_ORIGINS)}"}
        )
    _check_owner(case_id, lead_id, parent)
    name = clean_document_name(file_name)
    stream: BinaryIO = source
    if max_bytes is not None:
        stream = LimitedReader(source, max_bytes, name)  # type: ignore[assignment]
    blob = blobs.put(stream)

    document_id = new_id()
    document = Document(
        id=document_id,
        root_id=parent.root_id if parent is not None else document_id,
        case_id=parent.case_id if parent is not None else case_id,
        lead_id=parent.lead_id if parent is not None else lead_id,
        parent_id=parent.id if parent is not None else None,
        depth=parent.depth + 1 if parent is not None else 0,
        origin=origin,
        evidence_file_id=evidence_file_id,
        file_name=name,
        sha256=blob.sha256,
        size=blob.size,
        declared_media_type=declared_media_type[:MAX_MEDIA_TYPE_LENGTH],
        status="queued",
        uploaded_by=uploaded_by,
        uploaded_by_id=uploaded_by_id,
        meta={},
        labels=[],
    )
    session.add(document)
    session.flush()
    if ingest:
        queue_ingestion(session, document, max_attempts=max_attempts)
    emit(
        session,
        object_type="document",
        object_id=document.id,
        operation="create",
        case_id=document.case_id,
        payload={"status": document.status},
    )
    log.info(
        "document_stored",
        document_id=document.id,
        case_id=document.case_id,
        lead_id=document.lead_id,
        parent_id=document.parent_id,
        sha256=blob.sha256,
        size=blob.size,
        origin=origin,
    )
    return document


def queue_ingestion(session: Session, document: Document, *, max_attempts: int = 3) -> None:
    """Enqueue the ``documents.ingest`` job of a document in the caller's transaction."""
    enqueue(session, INGEST_JOB, {"document_id": document.id}, max_attempts=max_attempts)


@dataclass(frozen=True)
class Upload:
    """One file of an upload request: its stream, the name the client gave and its declared type."""

    source: BinaryIO
    file_name: str
    declared_media_type: str = ""


def open_case_for_documents(
    session: Session, ctx: RequestContext, number: str, action: DocumentAction, *, lock: bool = False
) -> Case:
    query = select(Case).where(Case.number == number)
    if lock:
        query = query.with_for_update()
    case = session.execute(query).scalar_one_or_none()
    if case is None:
        raise NotFound(f"case {number} not found")
    policy.require_case_document(session, ctx, guard_for(session, ctx, case), action)
    if action != DocumentAction.READ:
        ensure_not_frozen(case)
    return case


def upload_documents(
    session: Session,
    ctx: RequestContext,
    number: str,
    *,
    blobs: BlobStore,
    settings: Settings,
    uploads: Sequence[Upload],
) -> list[Document]:
    """Store files uploaded into case ``number`` and queue their ingestion; all or none commit."""
    case = open_case_for_documents(session, ctx, number, DocumentAction.UPLOAD)
    if not uploads:
        raise ValidationFailed("no file given", {"files": "choose at least one file"})
    names = [_upload_name(index, upload.file_name) for index, upload in enumerate(uploads)]
    documents = []
    for upload, name in zip(uploads, names, strict=True):
        document = store_document(
            session,
            blobs=blobs,
            source=upload.source,
            file_name=name,
            origin="upload",
            uploaded_by=ctx.actor.username,
            uploaded_by_id=ctx.actor.user_id,
            case_id=case.id,
            declared_media_type=upload.declared_media_type,
            max_bytes=settings.documents.max_upload_bytes,
            max_attempts=settings.documents.ingest_attempts,
        )
        _record(
            session,
            ctx,
            AuditAction.DOCUMENT_UPLOAD,
            document,
            {"sha256": document.sha256, "size": document.size},
        )
        documents.append(document)
    return documents


def _upload_name(index: int, file_name: str) -> str:
    try:
        return clean_file_name(file_name)
    except ValidationFailed as error:
        detail = next(iter(error.errors.values()), error.message)
        raise ValidationFailed(f"file {index + 1}: {error.message}", {f"files[{index}]": detail}) from None


def ingest_evidence_file(
    session: Session,
    ctx: RequestContext,
    number: str,
    item_number: str,
    *,
    blobs: BlobStore,
    settings: Settings,
    file_id: str,
) -> Document:
    """Make a digital evidence file of an item a document of the case, and queue its ingestion.

    The evidence file stays as it is; the document refers to it. A file already ingested returns
    its existing document.
    """
    access = open_item(session, ctx, number, item_number, CasePermission.WRITE, attempted="document.upload")
    ensure_not_frozen(access.case)
    evidence_file = session.get(EvidenceFile, file_id)
    if evidence_file is None or evidence_file.item_id != access.item.id:
        raise NotFound(f"file {file_id} not found in {access.label}")
    existing = session.execute(
        select(Document).where(Document.evidence_file_id == evidence_file.id, Document.parent_id.is_(None))
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    document = store_document(
        session,
        blobs=blobs,
        source=io.BufferedReader(ChunkReader(blobs.read(evidence_file.sha256)), READ_CHUNK),
        file_name=evidence_file.file_name,
        origin="evidence",
        uploaded_by=ctx.actor.username,
        uploaded_by_id=ctx.actor.user_id,
        case_id=access.case.id,
        declared_media_type=evidence_file.media_type,
        evidence_file_id=evidence_file.id,
        max_attempts=settings.documents.ingest_attempts,
    )
    detail = {"sha256": document.sha256, "evidence_file_id": evidence_file.id}
    _record(session, ctx, AuditAction.DOCUMENT_UPLOAD, document, detail)
    return document


class ChunkReader(io.RawIOBase):
    """A readable binary stream over an iterator of byte chunks (a blob being decrypted)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._buffer = chunk
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def retry_document(session: Session, ctx: RequestContext, settings: Settings, document_id: str) -> Document:
    """Queue a failed document for ingestion again."""
    access = open_document(session, ctx, document_id, DocumentAction.RETRY, lock=True)
    document = access.document
    if document.status != "failed":
        raise InvalidTransition(
            f"document {document_id} is {document.status}: only a failed document can be retried"
        )
    document.status = "queued"
    document.failure_reason = None
    queue_ingestion(session, document, max_attempts=settings.documents.ingest_attempts)
    _emit_update(session, document, {"status": "queued"})
    _record(session, ctx, AuditAction.DOCUMENT_RETRY, document, {"attempts": document.attempts})
    log.info("document_retry_queued", document_id=document.id, case_id=document.case_id)
    return document


def set_labels(
    session: Session,
    ctx: RequestContext,
    document_id: str,
    labels: Sequence[str],
    *,
    expected_version: int,
) -> Document:
    """Replace the labels of a document, e.g. ``privileged`` or ``translated``."""
    access = open_document(session, ctx, document_id, DocumentAction.LABEL, lock=True)
    document = access.document
    check_version("document", document.id, document.version, expected_version)
    cleaned = clean_labels(labels)
    document.labels = cleaned
    session.flush()
    _emit_update(session, document, {"status": document.status, "changed": ["labels"]})
    _record(session, ctx, AuditAction.DOCUMENT_LABEL, document, {"labels": len(cleaned)})
    return document


def clean_labels(labels: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for index, label in enumerate(labels):
        value = label.strip().lower()
        if not LABEL_PATTERN.fullmatch(value):
            raise ValidationFailed(
                f"invalid label {label!r}",
                {f"labels[{index}]": "1 to 64 letters, digits, spaces or - _ . : characters"},
            )
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > MAX_LABELS:
        raise ValidationFailed(f"{len(cleaned)} labels given", {"labels": f"at most {MAX_LABELS} labels"})
    return cleaned


def _emit_update(session: Session, document: Document, payload: dict[str, Any]) -> None:
    emit(
        session,
        object_type="document",
        object_id=document.id,
        operation="update",
        case_id=document.case_id,
        payload=payload,
    )


def _record(
    session: Session, ctx: RequestContext, action: AuditAction, document: Document, detail: dict[str, Any]
) -> None:
    record(
        session,
        ctx.audit_source,
        action,
        object_type="document",
        object_id=document.id,
        case_id=document.case_id,
        detail=detail,
    )

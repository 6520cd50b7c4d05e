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

from typing import BinaryIO

from sqlalchemy.orm import Session

from casetrail.blobs.store import BlobStore
from casetrail.core.errors import ValidationFailed
from casetrail.core.ids import new_id
from casetrail.core.logging import get_logger
from casetrail.db.outbox import emit
from casetrail.documents.models import DOCUMENT_ORIGINS, Document
from casetrail.jobs.queue import enqueue

log = get_logger(__name__)

INGEST_JOB = "documents.ingest"
MAX_FILE_NAME_LENGTH = 500
MAX_MEDIA_TYPE_LENGTH = 200
READ_CHUNK = 1024 * 1024


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

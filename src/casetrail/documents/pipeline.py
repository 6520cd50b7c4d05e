"""The ``documents.ingest`` job: read one stored document into text, metadata and children.

Steps: mark the document ``processing``; decrypt its blob into a private temporary folder;
detect the media type from the content; run the extractor registered for that type in a child
process with memory and time limits (``isolation``); then, in one transaction, write pages
(page images go to the blob store), metadata, child documents (each queued for its own
ingestion) and identifier mentions, and mark it ``ingested``.

A file that cannot be read ends ``failed`` with a reason a user can read, and the job itself
succeeds, so the worker moves on; the original stays in the blob store and ``retry`` queues
it again. Only database errors escape, so the queue retries the job when the database is
back. A worker process that dies mid-file loses its lease; the job is retried, and
``fail_abandoned`` marks the document failed once the job has no attempts left.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError

from casetrail.core.errors import IntegrityFailed
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.documents.extract.base import Extraction, ExtractionFailed, Limits
from casetrail.documents.ingest_state import begin_ingestion, mark_failed, save_extraction
from casetrail.documents.isolation import extract_isolated
from casetrail.documents.registry import extractor_for, sniff_media_type
from casetrail.jobs.types import JobContext

log = get_logger(__name__)


def limits_from_settings(settings: Settings) -> Limits:
    documents = settings.documents
    return Limits(
        max_file_bytes=documents.max_upload_bytes,
        max_unpacked_bytes=documents.max_unpacked_bytes,
        max_ratio=documents.max_ratio,
        max_members=documents.max_members,
        max_depth=documents.max_depth,
        max_pages=documents.max_pages,
        max_ocr_pages=documents.max_ocr_pages,
        ocr_languages=documents.ocr_languages,
        tool_timeout_s=documents.tool_timeout_seconds,
    )


def ingest_document(context: JobContext, payload: dict[str, Any]) -> None:
    """Handle one ``documents.ingest`` job; ``payload`` is ``{"document_id": ...}``."""
    document_id = str(payload.get("document_id", ""))
    target = begin_ingestion(context, document_id)
    if target is None:
        return
    log.info(
        "document_ingest_started", document_id=document_id, case_id=target.case_id, attempt=context.attempt
    )
    work_root = context.settings.data_dir / "ingest"
    work_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{document_id}-", dir=work_root))
    media_type = ""
    try:
        original = folder / "original"
        _decrypt(context, target.sha256, original)
        media_type = sniff_media_type(original)
        extraction = _extract(context.settings, original, media_type, folder / "children")
        with transaction(context.sessions) as session:
            save_extraction(session, context, document_id, media_type, extraction)
    except ExtractionFailed as failure:
        _fail(context, document_id, failure.reason, media_type)
    except IntegrityFailed as error:
        log.error("document_blob_integrity_failed", document_id=document_id, sha256=target.sha256)
        _fail(
            context,
            document_id,
            f"the stored original failed its integrity check: {error.message}",
            media_type,
        )
    except DBAPIError:
        raise
    except Exception as error:
        log.exception("document_ingest_error", document_id=document_id, error_type=type(error).__name__)
        reason = f"ingestion failed unexpectedly ({type(error).__name__}); the original is kept, retry later"
        _fail(context, document_id, reason, media_type)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _decrypt(context: JobContext, sha256: str, target: Path) -> None:
    with target.open("wb") as sink:
        for chunk in context.blobs.read(sha256):
            sink.write(chunk)


def _extract(settings: Settings, original: Path, media_type: str, workdir: Path) -> Extraction:
    limits = limits_from_settings(settings)
    size = original.stat().st_size
    if size == 0:
        raise ExtractionFailed("the file is empty (0 bytes): there is nothing to read")
    if size > limits.max_file_bytes:
        raise ExtractionFailed(
            f"the file has {size} bytes, more than the limit of {limits.max_file_bytes} "
            "(CASETRAIL_DOCUMENTS__MAX_UPLOAD_BYTES)"
        )
    # Fail fast, without starting a process, when no extractor reads this type.
    extractor_for(media_type)
    workdir.mkdir()
    return extract_isolated(
        media_type,
        original,
        limits,
        workdir,
        memory_bytes=settings.documents.max_memory_bytes,
        timeout_seconds=settings.documents.extract_timeout_seconds,
    )


def _fail(context: JobContext, document_id: str, reason: str, media_type: str) -> None:
    with transaction(context.sessions) as session:
        mark_failed(session, document_id, reason, media_type=media_type)
    log.warning("document_ingest_failed", document_id=document_id, media_type=media_type)

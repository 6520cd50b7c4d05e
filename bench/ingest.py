# ruff: noqa: T201  (a benchmark prints its figures to standard output)
"""Benchmark: document ingestion throughput through the real pipeline and job worker.

Two runs on a fresh embedded database and blob store in a temporary folder:

- text PDFs: ``tests/data/documents/pdf/testPDF_protected.pdf`` (41 pages with a text layer,
  a speech published by the Bank of England) uploaded ``--text-copies`` times; figure in pages
  per second;
- OCR: ``tests/data/documents/pdf/testOCR.pdf`` (one scanned page without a text layer)
  uploaded ``--ocr-copies`` times; figure in pages per minute.

Each copy is stored with ``store_document`` (so it is a separate document and ingestion runs in
full, although the blob store keeps one sealed copy of the bytes), then one ``Worker`` drains
the queue with ``run(once=True)``. Time covers the worker only: claiming jobs, decrypting,
type detection, extraction (pypdfium2, tesseract), page images, identifier mentions and the
database writes.

    .venv/bin/python bench/ingest.py --text-copies 10 --ocr-copies 10
"""

from __future__ import annotations

import argparse
import io
import platform
import secrets
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth import service as auth_service
from casetrail.auth.context import operator_context
from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.blobs.store import BlobStore
from casetrail.cases import service as case_service
from casetrail.core.logging import configure_logging
from casetrail.core.settings import Settings
from casetrail.db.engine import build_engine, session_factory, transaction
from casetrail.documents import tasks
from casetrail.documents.models import Document
from casetrail.documents.service import store_document
from casetrail.jobs.worker import Worker
from casetrail.migrations.runner import upgrade

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "documents"
TEXT_PDF = DATA / "pdf" / "testPDF_protected.pdf"
SCANNED_PDF = DATA / "pdf" / "testOCR.pdf"


def _setup(folder: Path) -> tuple[Settings, sessionmaker[Session], BlobStore, str]:
    settings = Settings(data_dir=folder / "var", log_level="WARNING")
    upgrade(settings.resolved_database_url)
    ensure_master_key(settings)
    sessions = session_factory(build_engine(settings.resolved_database_url))
    with transaction(sessions) as session:
        auth_service.create_user(
            session,
            operator_context(),
            settings,
            username="bench",
            password=secrets.token_urlsafe(16),
            role="investigator",
            clearance="secret",
            unit_name="Benchmarks",
            display_name="Benchmark",
        )
    with transaction(sessions) as session:
        case = case_service.create_case(session, operator_context(), title="Benchmark", lead_username="bench")
        case_id = case.id
    return settings, sessions, blob_store(settings), case_id


def _store_copies(
    sessions: sessionmaker[Session], blobs: BlobStore, case_id: str, path: Path, copies: int
) -> None:
    data = path.read_bytes()
    with transaction(sessions) as session:
        for index in range(copies):
            store_document(
                session,
                blobs=blobs,
                source=io.BytesIO(data),
                file_name=f"{index}-{path.name}",
                origin="upload",
                uploaded_by="benchmark",
                case_id=case_id,
            )


def _drain(settings: Settings, sessions: sessionmaker[Session], blobs: BlobStore) -> tuple[float, int]:
    worker = Worker(settings=settings, sessions=sessions, blobs=blobs, handlers=tasks.HANDLERS)
    started = time.perf_counter()
    stats = worker.run(once=True)
    return time.perf_counter() - started, stats.done


def _pages(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        failed = session.execute(select(func.count()).where(Document.status == "failed")).scalar_one()
        if failed:
            raise SystemExit(f"{failed} documents failed ingestion; the figures would be wrong")
        return int(session.execute(select(func.coalesce(func.sum(Document.page_count), 0))).scalar_one())


def run(path: Path, copies: int) -> tuple[int, int, float]:
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as folder:
        settings, sessions, blobs, case_id = _setup(Path(folder))
        _store_copies(sessions, blobs, case_id, path, copies)
        seconds, done = _drain(settings, sessions, blobs)
        return done, _pages(sessions), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text-copies", type=int, default=10, help="Copies of the 41-page text PDF.")
    parser.add_argument("--ocr-copies", type=int, default=10, help="Copies of the one-page scanned PDF.")
    args = parser.parse_args()
    configure_logging("WARNING")

    print(f"python {platform.python_version()} on {platform.platform()}, {platform.machine()}")
    documents, pages, seconds = run(TEXT_PDF, args.text_copies)
    print(f"text PDF: {documents} documents, {pages} pages in {seconds:.2f} s: {pages / seconds:.1f} pages/s")
    documents, pages, seconds = run(SCANNED_PDF, args.ocr_copies)
    print(
        f"OCR: {documents} documents, {pages} pages in {seconds:.2f} s: {pages / seconds * 60:.1f} pages/min"
    )


if __name__ == "__main__":
    main()

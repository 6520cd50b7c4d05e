"""The documents.ingest job on real files, through the real worker, on both backends."""

from __future__ import annotations

import hashlib
import io

from sqlalchemy import select

from casetrail.db.engine import transaction
from casetrail.db.outbox import OutboxEvent
from casetrail.documents.models import DocumentMention, DocumentPage
from casetrail.jobs.queue import enqueue
from tests.documents.conftest import World, reload, run_worker, store_file


def _pages(world: World, document_id: str) -> list[DocumentPage]:
    with transaction(world.factory) as session:
        query = (
            select(DocumentPage).where(DocumentPage.document_id == document_id).order_by(DocumentPage.page_no)
        )
        return list(session.execute(query).scalars())


def _mentions(world: World, document_id: str) -> list[DocumentMention]:
    with transaction(world.factory) as session:
        query = select(DocumentMention).where(DocumentMention.document_id == document_id)
        return list(session.execute(query).scalars())


def test_text_pdf_is_ingested(world: World) -> None:
    document = store_file(world, "pdf/testPDF.pdf")

    stats = run_worker(world)

    row = reload(world, document.id)
    pages = _pages(world, document.id)
    assert stats.done == 1
    assert row.status == "ingested"
    assert row.media_type == "application/pdf"
    assert row.title == "Apache Tika - Apache Tika"
    assert row.page_count == 1
    assert "Content Analysis Toolkit" in pages[0].text
    assert pages[0].image_sha256 is not None
    assert world.store.exists(pages[0].image_sha256)


def test_pdf_mentions_are_suggested_with_page(world: World) -> None:
    document = store_file(world, "pdf/testPDF.pdf")

    run_worker(world)

    found = {(m.kind, m.normalized, m.page_no, m.status) for m in _mentions(world, document.id)}
    assert ("url", "http://incubator.apache.org/tika/", 1, "suggested") in found
    assert ("date", "2007-09-15", 1, "suggested") in found


def test_scanned_image_is_read_by_ocr(world: World) -> None:
    document = store_file(world, "images/testOCR.png")

    run_worker(world)

    pages = _pages(world, document.id)
    assert reload(world, document.id).status == "ingested"
    assert "This file contains some words" in pages[0].text
    assert pages[0].ocr


def test_type_comes_from_content_not_name(world: World) -> None:
    with (world.data / "pdf/testPDF.pdf").open("rb") as source:
        document = world.store_bytes(source.read(), "holiday-photo.jpg")

    run_worker(world)

    assert reload(world, document.id).media_type == "application/pdf"


def test_unknown_type_fails_with_reason(world: World) -> None:
    noise = b"".join(hashlib.sha256(str(n).encode()).digest() for n in range(64))
    document = world.store_bytes(noise, "blob.bin")

    stats = run_worker(world)

    row = reload(world, document.id)
    assert stats.done == 1
    assert row.status == "failed"
    assert row.failure_reason is not None
    assert row.failure_reason.startswith("no extractor for application/octet-stream")
    assert world.store.exists(row.sha256)


def test_empty_file_fails_saying_it_is_empty(world: World) -> None:
    document = world.store_bytes(b"", "empty.pdf")

    run_worker(world)

    row = reload(world, document.id)
    assert row.status == "failed"
    assert row.failure_reason == "the file is empty (0 bytes): there is nothing to read"


def test_bad_file_does_not_stop_worker(world: World) -> None:
    bad = world.store_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntruncated", "broken.pdf")
    good = store_file(world, "csv/testCSV.csv")

    stats = run_worker(world)

    assert stats.done == 2
    assert reload(world, bad.id).status == "failed"
    assert reload(world, good.id).status == "ingested"


def test_failure_and_ingestion_emit_updates(world: World) -> None:
    bad = world.store_bytes(bytes(range(256)), "blob.bin")
    good = store_file(world, "csv/testCSV.csv")

    run_worker(world)

    with transaction(world.factory) as session:
        events = session.execute(
            select(OutboxEvent.object_id, OutboxEvent.payload).where(OutboxEvent.operation == "update")
        ).all()
    assert (bad.id, {"status": "failed"}) in [tuple(event) for event in events]
    assert (good.id, {"status": "ingested"}) in [tuple(event) for event in events]


def test_missing_document_job_is_skipped(world: World) -> None:
    with transaction(world.factory) as session:
        enqueue(session, "documents.ingest", {"document_id": "0190f3a0-0000-7000-8000-00000000dead"})

    stats = run_worker(world)

    assert stats.done == 1


def test_nul_characters_are_dropped(world: World) -> None:
    document = world.store_bytes(b"line one\nline\x00 two\n", "nul.txt")

    run_worker(world)

    pages = _pages(world, document.id)
    assert reload(world, document.id).status in {"ingested", "failed"}
    assert all("\x00" not in page.text for page in pages)


def test_blob_of_page_image_is_readable(world: World) -> None:
    document = store_file(world, "pdf/testPDF.pdf")
    run_worker(world)

    image = _pages(world, document.id)[0].image_sha256
    assert image is not None
    data = b"".join(world.store.read(image))

    assert data.startswith(b"\x89PNG")
    assert io.BytesIO(data).getbuffer().nbytes > 100

"""Dropping two real files on the documents tab in a real browser and watching them get ingested.

The server runs with a job worker next to it, as `casetrail serve` does. The list refreshes by
itself until both rows read "ingested"; then the PDF's viewer shows its text with the searched
word highlighted, and the page fits a phone screen. Screenshots land in the test's folder.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.cases.models import Case
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.documents.models import Document, DocumentMention
from casetrail.documents.service import store_document
from casetrail.entities.service import create_entity
from casetrail.entities.statements import Source, SourceType
from tests.browser.conftest import PHONE, LiveServer, horizontal_overflow, log_in, start_server, stop_server
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser

CASE_NUMBER = "2026-0142"
DATA = Path(__file__).resolve().parent.parent / "data" / "documents"
DROPPED = [DATA / "pdf/testPDF.pdf", DATA / "email/testEmailWithPNGAtt.eml"]
# Ingestion of both files takes well under a second here; the bound allows a loaded CI machine.
INGEST_TIMEOUT_MS = 90_000


@pytest.fixture
def server(
    factory: sessionmaker[Session], database_url: str, settings: Settings, tmp_path: Path
) -> Iterator[LiveServer]:
    make_user(factory, "rivera", unit="Narcotics Unit 3")
    make_case(factory, "rivera", title="House on Elm St", number=CASE_NUMBER)
    ensure_master_key(settings)
    process, live = start_server(database_url, tmp_path)
    worker = _start_worker(database_url, tmp_path)
    yield live
    stop_server(worker)
    stop_server(process)


def _start_worker(database_url: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CASETRAIL_DATABASE_URL": database_url,
        "CASETRAIL_DATA_DIR": str(tmp_path / "var"),
        "CASETRAIL_JOBS__POLL_INTERVAL_SECONDS": "0.2",
    }
    command = [str(Path(sys.executable).parent / "casetrail"), "worker"]
    with (tmp_path / "worker.log").open("wb") as log:
        return subprocess.Popen(command, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)


def _document_with_phone(factory: sessionmaker[Session], settings: Settings) -> str:
    """Store an ingested document with one suggested phone number and 12 entities; return its id."""
    with transaction(factory) as session:
        case_id = session.execute(select(Case.id).where(Case.number == CASE_NUMBER)).scalar_one()
        document = store_document(
            session,
            blobs=blob_store(settings),
            source=io.BytesIO(b"call +49 30 1234567"),
            file_name="call-log.txt",
            origin="upload",
            uploaded_by="rivera",
            case_id=case_id,
            ingest=False,
        )
        document.status = "ingested"
        session.add(
            DocumentMention(
                document_id=document.id,
                case_id=case_id,
                page_no=1,
                kind="phone",
                value="+49 30 1234567",
                normalized="+49301234567",
            )
        )
        for index in range(12):
            create_entity(
                session,
                operator_context(),
                CASE_NUMBER,
                schema="Person",
                properties={"name": [f"Person {index:02d}"]},
                source=Source(SourceType.MANUAL, None),
            )
        return document.id


def _drop_files(page: Page, paths: list[Path]) -> None:
    files = [{"name": path.name, "bytes": list(path.read_bytes())} for path in paths]
    transfer = page.evaluate_handle(
        """(files) => {
            const transfer = new DataTransfer();
            for (const file of files) {
                transfer.items.add(new File([new Uint8Array(file.bytes)], file.name));
            }
            return transfer;
        }""",
        files,
    )
    page.dispatch_event("[data-dropzone]", "drop", {"dataTransfer": transfer})


def test_drop_two_files_and_see_them_ingested(
    browser: BrowserContext, server: LiveServer, tmp_path: Path
) -> None:
    page = browser.new_page()
    log_in(page, server, "rivera")
    page.goto(f"{server.base_url}/cases/{CASE_NUMBER}")
    page.get_by_role("link", name="Documents", exact=True).click()
    expect(page).to_have_url(f"{server.base_url}/cases/{CASE_NUMBER}/documents")

    _drop_files(page, DROPPED)
    expect(page.locator(".upload-item")).to_have_count(2)
    page.get_by_role("button", name="Upload").click()

    rows = page.locator("tr[data-document-id]")
    expect(rows).to_have_count(2, timeout=INGEST_TIMEOUT_MS)
    for index in range(2):
        expect(rows.nth(index).locator('[data-field="status"]')).to_have_text(
            "ingested", timeout=INGEST_TIMEOUT_MS
        )
    page.screenshot(path=str(tmp_path / "documents.png"), full_page=True)

    # The message's attachment is read out of it; the row shows this and links to the new list.
    page.get_by_role("link", name="1 file was read out of it: show the list again").click()
    expect(rows).to_have_count(3)
    expect(page.locator("tr.child-document")).to_have_count(1)

    page.locator("tr[data-document-id]", has_text="testPDF.pdf").get_by_role("link").first.click()
    expect(page.locator("h1")).to_have_text("Apache Tika - Apache Tika")
    page.get_by_label("Find in this document").fill("toolkit")
    page.get_by_role("button", name="Highlight").click()
    expect(page.locator(".page-text mark").first).to_have_text("Toolkit")
    expect(page.locator("img.page-image")).to_be_visible()

    page.set_viewport_size(PHONE)
    page.screenshot(path=str(tmp_path / "document-phone.png"), full_page=True)
    assert horizontal_overflow(page) == 0


def test_filter_entities_and_add_phone(
    browser: BrowserContext,
    server: LiveServer,
    factory: sessionmaker[Session],
    settings: Settings,
    tmp_path: Path,
) -> None:
    document_id = _document_with_phone(factory, settings)
    page = browser.new_page()
    log_in(page, server, "rivera")
    page.goto(f"{server.base_url}/documents/{document_id}")

    choice = page.get_by_label("Entity to add +49301234567 to")
    expect(choice).to_have_value("")
    page.get_by_role("button", name="Add to entity").click()
    expect(page).to_have_url(f"{server.base_url}/documents/{document_id}")

    page.get_by_label("Filter the entities for +49301234567").fill("person 07")
    enabled = choice.locator("option:not([disabled])")
    expect(enabled).to_have_text(["Choose an entity", "Person 07 (Person)"])
    page.screenshot(path=str(tmp_path / "mention-filter.png"), full_page=True)
    choice.select_option(label="Person 07 (Person)")
    page.get_by_role("button", name="Add to entity").click()

    expect(page.locator(".mention-accepted")).to_have_count(1)
    expect(page.get_by_text("+49301234567 recorded as phone of an entity.")).to_be_visible()


def _store(
    session: Session,
    settings: Settings,
    name: str,
    data: bytes,
    parent: Document | None = None,
    **fields: Any,
) -> Document:
    case_id = session.execute(select(Case.id).where(Case.number == CASE_NUMBER)).scalar_one()
    document = store_document(
        session,
        blobs=blob_store(settings),
        source=io.BytesIO(data),
        file_name=name,
        origin="child" if parent else "upload",
        uploaded_by="rivera",
        case_id=None if parent else case_id,
        parent=parent,
        ingest=False,
    )
    document.status = "ingested"
    for field, value in fields.items():
        setattr(document, field, value)
    return document


def test_child_video_page_fits_phone(
    browser: BrowserContext,
    server: LiveServer,
    factory: sessionmaker[Session],
    settings: Settings,
    tmp_path: Path,
) -> None:
    media = {
        "duration_s": 61.5,
        "bit_rate": 128000.0,
        "format": "mov,mp4,m4a,3gp,3g2,mj2",
        "streams": [
            {
                "type": "video",
                "codec": "h264",
                "codec_long_name": "H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10",
                "width": 1920,
                "height": 1080,
            },
            {"type": "audio", "codec": "aac", "sample_rate": "44100", "bit_rate": "96000"},
        ],
    }
    with transaction(factory) as session:
        _store(session, settings, "clip.mp4", b"same clip")
        bundle = _store(session, settings, "phone-dump.zip", b"zip")
        folder = _store(session, settings, "DCIM.zip", b"inner zip", parent=bundle)
        clip = _store(session, settings, "clip.mp4", b"same clip", parent=folder, meta={"media": media})
        clip_id = clip.id
    page = browser.new_page()
    log_in(page, server, "rivera")
    page.set_viewport_size(PHONE)

    page.goto(f"{server.base_url}/documents/{clip_id}")
    expect(page.locator(".crumbs")).to_contain_text("phone-dump.zip \u203a DCIM.zip \u203a clip.mp4")
    expect(page.locator(".same-file")).to_contain_text("Same file as: clip.mp4")
    expect(page.locator("dl.file-meta").get_by_text("44100 Hz")).to_be_visible()
    page.screenshot(path=str(tmp_path / "child-video-phone.png"), full_page=True)
    assert horizontal_overflow(page) == 0

    page.goto(f"{server.base_url}/cases/{CASE_NUMBER}/documents")
    expect(page.locator("tr.child-document")).to_have_count(2)
    page.screenshot(path=str(tmp_path / "families-phone.png"), full_page=True)
    assert horizontal_overflow(page) == 0

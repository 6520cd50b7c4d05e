"""Evidence files in the web UI: uploads, streamed downloads, copies, PDFs and the package export."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.blobs.sealed import DEFAULT_CHUNK_SIZE
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.evidence.package_verify import verify_package
from tests.support.streams import PatternStream
from tests.web.conftest import BrowserFactory
from tests.web.evidence_helpers import (
    CASE_NUMBER,
    REGISTER_URL,
    item_url,
    make_evidence_case,
    register_phone,
    upload_through_form,
)
from tests.web.html import csrf_token

_FILE_LINK = re.compile(r'<a class="file-name" href="([^"]+)" download>([^<]+)</a>')


def _pattern(size: int) -> bytes:
    return PatternStream(size).read(size) or b""


def _file_links(html: str) -> dict[str, str]:
    """Return the download link of each file listed on the item page, by file name."""
    return {name: href for href, name in _FILE_LINK.findall(html)}


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section class="panel" id="{section_id}">(.*?)</section>', html, re.S)
    assert match is not None, f"no section {section_id} on the page"
    return match.group(1)


def _audit_actions(factory: sessionmaker[Session], action: str) -> list[AuditRecord]:
    with transaction(factory) as session:
        return list(session.execute(select(AuditRecord).where(AuditRecord.action == action)).scalars())


def test_upload_and_download_byte_for_byte(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    image = _pattern(DEFAULT_CHUNK_SIZE * 2 + 12_345)
    note = "Übergabe am Hafen, 14. März\n".encode()

    response = upload_through_form(alice, number, [("phone image.bin", image), ("übergabe.txt", note)])

    assert response.status_code == 303
    assert response.headers["location"] == item_url(number, "#files")
    page = alice.get(response.headers["location"])
    assert "2 files added." in page.text
    assert hashlib.sha256(image).hexdigest() in page.text
    assert hashlib.sha256(note).hexdigest() in page.text
    assert f"({len(image)} bytes)" in page.text
    links = _file_links(page.text)
    assert set(links) == {"phone image.bin", "übergabe.txt"}

    downloaded = alice.get(links["phone image.bin"])
    assert downloaded.status_code == 200
    assert downloaded.content == image
    assert downloaded.headers["content-length"] == str(len(image))
    assert downloaded.headers["content-disposition"].startswith("attachment;")
    assert downloaded.headers["x-content-type-options"] == "nosniff"
    assert downloaded.headers["content-security-policy"].startswith("sandbox")
    text = alice.get(links["übergabe.txt"])
    assert text.content == note
    assert "filename*=UTF-8''%C3%BCbergabe.txt" in text.headers["content-disposition"]
    assert text.headers["content-type"].startswith("text/plain")


def test_download_is_audited(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    upload_through_form(alice, number, [("image.bin", b"forensic image")])
    link = _file_links(alice.get(item_url(number)).text)["image.bin"]

    alice.get(link)

    downloads = _audit_actions(factory, "evidence.download")
    assert len(downloads) == 1
    assert downloads[0].object_id == link.rsplit("/", 1)[1]


def test_upload_listed_in_custody_log(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    content = b"call log export"

    upload_through_form(alice, number, [("calls.csv", content)])
    page = alice.get(item_url(number)).text

    custody_log = _section(page, "custody")
    assert "File added" in custody_log
    assert hashlib.sha256(content).hexdigest() in custody_log
    assert "calls.csv" in custody_log
    assert "Hash chain verified: 2 events" in custody_log


def test_copy_listed_under_original(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    original = b"%PDF-1.4 scanned ledger"
    upload_through_form(alice, number, [("ledger.pdf", original)])

    response = upload_through_form(
        alice,
        number,
        [("ledger.txt", b"ledger text")],
        kind="extracted_text",
        derived_from=hashlib.sha256(original).hexdigest(),
    )

    assert response.status_code == 303
    page = alice.get(item_url(number)).text
    copies = re.search(r'<ul class="file-copies"[^>]*>(.*?)</ul>', page, re.S)
    assert copies is not None
    assert "ledger.txt" in copies.group(1)
    assert "extracted text" in copies.group(1)
    assert "ledger.pdf" not in copies.group(1)


def test_upload_without_file_is_rejected(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    page = alice.get(item_url(number))

    response = alice.post(
        item_url(number, "/files"),
        data={"kind": "original", "csrf_token": csrf_token(page.text)},
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )

    assert response.status_code == 422
    assert "no file was chosen" in response.text.lower()


def test_same_file_twice_is_a_conflict(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    upload_through_form(alice, number, [("image.bin", b"forensic image")])

    response = upload_through_form(alice, number, [("other.txt", b"new"), ("again.bin", b"forensic image")])

    assert response.status_code == 409
    page = alice.get(item_url(number)).text
    assert "other.txt" not in page


def test_label_pdf_names_item(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)

    response = alice.get(item_url(number, "/label.pdf"))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # A sandbox policy would stop Chromium's PDF viewer from showing the label.
    assert "content-security-policy" not in response.headers
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert number in text
    assert CASE_NUMBER in text
    assert len(_audit_actions(factory, "evidence.label")) == 1


def test_custody_report_pdfs(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    first = register_phone(alice)
    second = register_phone(alice, description="Notebook with phone numbers", category="document")

    item_report = alice.get(item_url(first, "/custody-report.pdf"))
    case_report = alice.get(f"/cases/{CASE_NUMBER}/evidence-report.pdf")

    assert item_report.status_code == 200
    assert item_report.headers["content-type"] == "application/pdf"
    item_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(item_report.content)).pages)
    assert first in item_text
    assert second not in item_text
    case_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(case_report.content)).pages)
    assert first in case_text
    assert second in case_text


def test_export_package_from_register(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory, tmp_path: Path
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    upload_through_form(alice, number, [("image.bin", b"forensic image")])
    register = alice.get(REGISTER_URL)
    assert "Export package" in register.text

    response = alice.post(
        f"/cases/{CASE_NUMBER}/evidence-package",
        data={"csrf_token": csrf_token(register.text)},
        follow_redirects=False,
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert f"evidence-{CASE_NUMBER}.zip" in response.headers["content-disposition"]
    saved = tmp_path / "package.zip"
    saved.write_bytes(response.content)
    with zipfile.ZipFile(saved) as archive:
        assert archive.read(f"files/{number}/image.bin") == b"forensic image"
    check = verify_package(saved)
    assert check.ok, check.problems
    assert len(_audit_actions(factory, "evidence.export")) == 1
    assert list((settings.data_dir / "exports").iterdir()) == []

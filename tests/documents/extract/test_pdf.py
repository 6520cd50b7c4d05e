from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from casetrail.documents.extract.base import ExtractionFailed, Limits
from casetrail.documents.extract.pdf import extract_pdf, parse_pdf_date
from tests.documents.extract.conftest import NO_OCR, sample

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_pdf_text_layer(workdir: Path) -> None:
    extraction = extract_pdf(sample("pdf/testPDF.pdf"), NO_OCR, workdir)
    assert extraction.media_type == "application/pdf"
    assert "Apache Tika is a toolkit for detecting and extracting metadata" in extraction.pages[0].text
    assert extraction.pages[0].ocr is False


def test_pdf_properties(workdir: Path) -> None:
    extraction = extract_pdf(sample("pdf/testPDF.pdf"), NO_OCR, workdir)
    assert extraction.title == "Apache Tika - Apache Tika"
    assert extraction.author == "Bertrand Delacrétaz"
    assert extraction.document_date == datetime(2007, 9, 15, 9, 2, 31, tzinfo=UTC)
    assert extraction.meta["pdf"]["page_count"] == 1


def test_pdf_page_preview_png(workdir: Path) -> None:
    extraction = extract_pdf(sample("pdf/testPDF.pdf"), NO_OCR, workdir)
    preview = extraction.pages[0].image_png
    assert preview is not None
    assert preview.startswith(PNG_SIGNATURE)


def test_pdf_scanned_page_ocr(workdir: Path) -> None:
    # The page is an image with no text layer, so only OCR can read the words.
    extraction = extract_pdf(sample("pdf/testOCR.pdf"), Limits(), workdir)
    page = extraction.pages[0]
    assert page.ocr is True
    assert "Happy New Year" in page.text
    assert extraction.meta["pdf"]["ocr_pages"] == [1]


def test_pdf_ocr_limit_skips_pages(workdir: Path) -> None:
    extraction = extract_pdf(sample("pdf/testOCR.pdf"), NO_OCR, workdir)
    assert extraction.pages[0].ocr is False
    assert extraction.meta["pdf"]["ocr_skipped_pages"] == [1]


def test_pdf_hybrid_scan_keeps_text_layer(workdir: Path) -> None:
    extraction = extract_pdf(sample("pdf/pdf-with-ocr-text.pdf"), NO_OCR, workdir)
    assert extraction.pages[0].ocr is False
    assert extraction.meta["pdf"]["ocr_skipped_pages"] == []


def test_pdf_owner_password_still_readable(workdir: Path) -> None:
    # Encrypted with an owner password only (permissions), so it opens without one.
    extraction = extract_pdf(sample("pdf/testPDF_protected.pdf"), NO_OCR, workdir)
    assert extraction.meta["pdf"]["encrypted"] is True
    assert len(extraction.pages) == 41
    assert "RETHINKING THE FINANCIAL NETWORK" in extraction.pages[0].text


def test_pdf_attachments_become_children(workdir: Path) -> None:
    extraction = extract_pdf(sample("pdf/testPDF_deeplyEmbeddedAttachments.pdf"), NO_OCR, workdir)
    names = {child.file_name for child in extraction.children}
    assert len(extraction.children) == 20
    assert "files/orig.pdf" in names
    assert all(child.path.parent == workdir for child in extraction.children)
    assert extraction.children[0].path.read_bytes().startswith(b"%PDF")


def test_pdf_date_with_negative_offset() -> None:
    assert parse_pdf_date("D:20150318171559-04'00'") == datetime(2015, 3, 18, 21, 15, 59, tzinfo=UTC)


def test_pdf_date_invalid() -> None:
    assert parse_pdf_date("yesterday") is None


def test_pdf_user_password_rejected(tmp_path: Path, workdir: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(sample("pdf/testPDF.pdf")))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(ExtractionFailed, match="protected by a password"):
        extract_pdf(locked, NO_OCR, workdir)

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casetrail.documents.extract.base import Extraction, ExtractionFailed
from casetrail.documents.extract.detect import detect_media_type
from casetrail.documents.extract.odt import extract_odt
from casetrail.documents.extract.office import (
    extract_docx,
    extract_encrypted_office,
    extract_pptx,
    extract_xlsx,
)
from tests.documents.extract.conftest import NO_OCR, sample


def test_docx_body_text(workdir: Path) -> None:
    extraction = extract_docx(sample("office/eng_spa_mult.docx"), NO_OCR, workdir)
    assert "All human beings are born free and equal in dignity and rights" in extraction.pages[0].text


def test_docx_without_core_properties(workdir: Path) -> None:
    # python-docx would report "now" as creation time for a package without docProps/core.xml.
    extraction = extract_docx(sample("office/eng_spa_mult.docx"), NO_OCR, workdir)
    assert extraction.document_date is None
    assert extraction.meta["office"] == {}


def test_docx_properties(workdir: Path) -> None:
    extraction = extract_docx(sample("office/EmbeddedDocument.docx"), NO_OCR, workdir)
    assert extraction.author == "win user"
    assert extraction.document_date == datetime(2010, 12, 10, 8, 30, tzinfo=UTC)


def test_docx_embedded_worksheet_child(workdir: Path) -> None:
    extraction = extract_docx(sample("office/EmbeddedDocument.docx"), NO_OCR, workdir)
    names = [child.file_name for child in extraction.children]
    assert "word/embeddings/Microsoft_Office_Excel_97-2003_Worksheet1.bin" in names


def test_xlsx_sheet_per_page(workdir: Path) -> None:
    extraction = extract_xlsx(sample("office/testEXCEL.xlsx"), NO_OCR, workdir)
    assert [page.text.splitlines()[0] for page in extraction.pages] == ["Feuil1", "Feuil2", "Feuil3"]
    assert "Sample Excel Worksheet - Numbers and their Squares" in extraction.pages[0].text


def test_xlsx_properties(workdir: Path) -> None:
    extraction = extract_xlsx(sample("office/testEXCEL.xlsx"), NO_OCR, workdir)
    assert extraction.title == "Simple Excel document"
    assert extraction.author == "Keith Bennett"


def test_xlsx_embedded_documents(workdir: Path) -> None:
    extraction = extract_xlsx(sample("office/testEXCEL_embeded.xlsx"), NO_OCR, workdir)
    names = {child.file_name for child in extraction.children}
    assert "xl/embeddings/Microsoft_Office_Word_Document2.docx" in names
    assert "xl/embeddings/Microsoft_Office_PowerPoint_Presentation1.pptx" in names


def test_xlsx_password_protected(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="password"):
        extract_encrypted_office(sample("office/password_protected.xlsx"), NO_OCR, workdir)


def test_xlsx_reader_rejects_encrypted_container(workdir: Path) -> None:
    # Handed to the XLSX reader by mistake, the OLE container is still a clean failure.
    with pytest.raises(ExtractionFailed, match="not a readable zip"):
        extract_xlsx(sample("office/password_protected.xlsx"), NO_OCR, workdir)


def test_pptx_slide_per_page(workdir: Path) -> None:
    extraction = extract_pptx(sample("office/testPPT.pptx"), NO_OCR, workdir)
    assert len(extraction.pages) == 3
    assert extraction.pages[0].text.startswith("Attachment Test")
    assert extraction.title == "Attachment Test"


def test_odt_text_and_date(tmp_path: Path, workdir: Path) -> None:
    odt = tmp_path / "testOpenOffice2.odt"
    with zipfile.ZipFile(sample("archives/test-documents.zip")) as archive:
        odt.write_bytes(archive.read("testOpenOffice2.odt"))
    extraction = extract_odt(odt, NO_OCR, workdir)
    assert "This is a sample Open Office document" in extraction.pages[0].text
    assert extraction.document_date == datetime(2007, 9, 14, 11, 6, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("relative", "extractor"),
    [
        ("office/testEXCEL.xlsx", extract_xlsx),
        ("office/eng_spa_mult.docx", extract_docx),
        ("office/testPPT.pptx", extract_pptx),
    ],
)
def test_office_file_without_extension(
    relative: str, extractor: Callable[..., Extraction], tmp_path: Path, workdir: Path
) -> None:
    # Stored blobs are named by hash, with no extension.
    blob = tmp_path / "0f3a9c"
    blob.write_bytes(sample(relative).read_bytes())
    assert extractor(blob, NO_OCR, workdir).pages[0].text


ODS_CONTENT = b"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
  <office:body><office:spreadsheet><table:table table:name="Payments">
    <table:table-row>
      <table:table-cell><text:p>Banque Lambert</text:p></table:table-cell>
      <table:table-cell><text:p>4471</text:p></table:table-cell>
    </table:table-row>
  </table:table></office:spreadsheet></office:body>
</office:document-content>
"""


def test_ods_cells_as_text(tmp_path: Path, workdir: Path) -> None:
    ods = tmp_path / "payments"
    with zipfile.ZipFile(ods, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("content.xml", ODS_CONTENT)
    assert detect_media_type(ods) == "application/vnd.oasis.opendocument.spreadsheet"
    extraction = extract_odt(ods, NO_OCR, workdir)
    assert extraction.media_type == "application/vnd.oasis.opendocument.spreadsheet"
    assert extraction.pages[0].text == "Banque Lambert\n4471"

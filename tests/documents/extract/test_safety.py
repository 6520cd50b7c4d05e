"""Hostile and damaged inputs: entity expansion, oversized files, corrupt and truncated files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from casetrail.documents.extract.base import Extraction, ExtractionFailed, Limits
from casetrail.documents.extract.odt import extract_odt
from casetrail.documents.extract.office import extract_docx, extract_pptx
from casetrail.documents.extract.pdf import extract_pdf
from casetrail.documents.extract.registry import EXTRACTORS, detect_media_type, guarded
from casetrail.documents.extract.text import extract_text, extract_xml
from tests.documents.extract.conftest import NO_OCR, sample

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""


def _replace_part(source: Path, target: Path, part: str, data: bytes) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            copy.writestr(info, data if info.filename == part else original.read(info))
    return target


def test_xml_billion_laughs(tmp_path: Path, workdir: Path) -> None:
    bomb = tmp_path / "lolz.xml"
    bomb.write_bytes(BILLION_LAUGHS)
    assert detect_media_type(bomb) == "text/xml"
    with pytest.raises(ExtractionFailed, match="entity expansion"):
        extract_xml(bomb, NO_OCR, workdir)


def test_docx_billion_laughs(tmp_path: Path, workdir: Path) -> None:
    bomb = _replace_part(
        sample("office/eng_spa_mult.docx"), tmp_path / "lolz.docx", "word/document.xml", BILLION_LAUGHS
    )
    with pytest.raises(ExtractionFailed, match="entity expansion"):
        extract_docx(bomb, NO_OCR, workdir)


def test_odt_billion_laughs(tmp_path: Path, workdir: Path) -> None:
    odt = tmp_path / "testOpenOffice2.odt"
    with zipfile.ZipFile(sample("archives/test-documents.zip")) as archive:
        odt.write_bytes(archive.read("testOpenOffice2.odt"))
    bomb = _replace_part(odt, tmp_path / "lolz.odt", "content.xml", BILLION_LAUGHS)
    with pytest.raises(ExtractionFailed, match="entity expansion"):
        extract_odt(bomb, NO_OCR, workdir)


def test_oversized_input(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="over the limit of 1000 bytes"):
        extract_pdf(sample("pdf/testPDF.pdf"), Limits(max_file_bytes=1000), workdir)


def test_too_many_pages(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="41 pages, over the limit of 10"):
        extract_pdf(sample("pdf/testPDF_protected.pdf"), Limits(max_pages=10), workdir)


def test_pdf_truncated(tmp_path: Path, workdir: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(sample("pdf/testPDF.pdf").read_bytes()[:3000])
    with pytest.raises(ExtractionFailed, match="cannot be read"):
        extract_pdf(broken, NO_OCR, workdir)


def test_pdf_bad_page_partial(workdir: Path) -> None:
    # One page object is damaged, but PDFium repairs the file and every page is read.
    extraction = extract_pdf(sample("malformed/testPDF_bad_page_303226.pdf"), NO_OCR, workdir)
    assert len(extraction.pages) == 19
    assert "Drug Enforcement Administration" in extraction.pages[0].text


def test_docx_truncated(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="not a readable zip package"):
        extract_docx(sample("malformed/testWORD_truncated.docx"), NO_OCR, workdir)


def test_odt_not_a_zip(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="not a readable zip package"):
        extract_odt(sample("malformed/testODTnotaZipFile.odt"), NO_OCR, workdir)


def test_pptx_malformed_partial(workdir: Path) -> None:
    extraction = extract_pptx(sample("malformed/fake-power-point-malformed.pptx"), NO_OCR, workdir)
    assert extraction.pages[0].text == "Problem Date Placeholder\nTest Slide"


def _dispatch(path: Path, workdir: Path) -> Extraction:
    return EXTRACTORS[detect_media_type(path)](path, NO_OCR, workdir)


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("malformed/testZIP_corrupted_oom.zip", "damaged"),
        ("malformed/testWORD_truncated.docx", "damaged"),
        ("malformed/testMP4_truncated.m4a", "truncated or damaged"),
        ("office/password_protected.xlsx", "password"),
        ("archives/test7Z_protected_passTika.7z", "password"),
    ],
)
def test_dispatch_fails_cleanly(relative: str, reason: str, workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match=reason):
        _dispatch(sample(relative), workdir)


def test_dispatch_near_empty_eml_as_text(workdir: Path) -> None:
    # 13 bytes of blank lines are plain text by content, not a message.
    extraction = _dispatch(sample("malformed/empty.eml"), workdir)
    assert extraction.media_type == "text/plain"
    assert extraction.pages[0].text.strip() == ""


def test_dispatch_odt_name_on_text(workdir: Path) -> None:
    extraction = _dispatch(sample("malformed/testODTnotaZipFile.odt"), workdir)
    assert extraction.media_type == "text/plain"
    assert extraction == extract_text(sample("malformed/testODTnotaZipFile.odt"), NO_OCR, workdir)


def _raise_key_error(path: Path, limits: Limits, workdir: Path) -> Extraction:
    raise KeyError(path.name)


def test_guarded_turns_crash_into_failure(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="_raise_key_error failed with KeyError"):
        guarded(_raise_key_error)(sample("csv/testCSV.csv"), NO_OCR, workdir)


def test_registry_entries_are_guarded() -> None:
    assert all(hasattr(function, "__wrapped__") for function in EXTRACTORS.values())


def _build_pdf(objects: list[bytes]) -> bytes:
    """Return a PDF file with ``objects`` numbered from 1, a cross-reference table and a trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_unreadable_page_kept(tmp_path: Path, workdir: Path) -> None:
    text = b"BT /F1 24 Tf 72 700 Td (Ledger entry for account 4471) Tj ET"
    # The second entry of the page tree points at the number 42 instead of a page.
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"42",
    ]
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(_build_pdf(objects))
    extraction = extract_pdf(damaged, NO_OCR, workdir)
    assert extraction.pages[0].text == "Ledger entry for account 4471"
    assert extraction.pages[1].text == ""
    assert extraction.meta["pdf"]["unreadable_pages"] == [2]

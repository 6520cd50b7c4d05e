from __future__ import annotations

from pathlib import Path

import pytest

from casetrail.documents.extract.base import ExtractionFailed
from casetrail.documents.extract.html import extract_html
from casetrail.documents.extract.rtf import extract_rtf
from casetrail.documents.extract.text import extract_csv, extract_text, extract_xml
from tests.documents.extract.conftest import NO_OCR, sample


def test_csv_utf16(workdir: Path) -> None:
    extraction = extract_csv(sample("csv/stanley-cups-utf-16.csv"), NO_OCR, workdir)
    assert extraction.meta["encoding"].startswith("utf_16")
    assert "Stanley Cups" in extraction.pages[0].text


LETTER = (
    "Sehr geehrte Damen und Herren,\nbitte überweisen Sie den Betrag von 5 000 € bis zum "
    "Monatsende an die Société Générale in Zürich. Die Überweisung muss den Verwendungszweck "
    "„Rechnung 4711“ enthalten. Für Rückfragen stehen wir Ihnen gerne zur Verfügung.\n"
    "Mit freundlichen Grüßen\n"
)


def test_text_windows_1252(tmp_path: Path, workdir: Path) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_bytes(LETTER.encode("cp1252"))
    extraction = extract_text(letter, NO_OCR, workdir)
    assert extraction.pages[0].text == LETTER


def test_text_empty_file(tmp_path: Path, workdir: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ExtractionFailed, match="empty"):
        extract_text(empty, NO_OCR, workdir)


def test_calendar_as_text(workdir: Path) -> None:
    extraction = extract_text(sample("misc/testICalendar.ics"), NO_OCR, workdir)
    assert "BEGIN:VCALENDAR" in extraction.pages[0].text


def test_xml_text_content(workdir: Path) -> None:
    extraction = extract_xml(sample("misc/testKML.kml"), NO_OCR, workdir)
    assert extraction.meta["xml_root"] == "{http://www.opengis.net/kml/2.2}kml"
    assert "Simple placemark" in extraction.pages[0].text


def test_html_title_author_text(workdir: Path) -> None:
    extraction = extract_html(sample("html/testHTML.html"), NO_OCR, workdir)
    assert extraction.title == "Title : Test Indexation Html"
    assert extraction.author == "Tika Developers"
    assert "Indexation du fichier" in extraction.pages[0].text


def test_html_misleading_charset(workdir: Path) -> None:
    # Declared UTF-8, written in windows-1256.
    extraction = extract_html(sample("html/testArabicMisleadingCharset.html"), NO_OCR, workdir)
    assert extraction.meta["encoding"] == "cp1256"
    assert "اللغة العربية" in extraction.pages[0].text


def test_html_data_uri_image_child(workdir: Path) -> None:
    extraction = extract_html(sample("html/testHTML_embedded_img.html"), NO_OCR, workdir)
    assert len(extraction.children) == 1
    assert extraction.children[0].declared_media_type == "image/jpeg"
    assert extraction.children[0].path.read_bytes().startswith(b"\xff\xd8")


def test_rtf_unpaired_surrogates(workdir: Path) -> None:
    extraction = extract_rtf(sample("malformed/testRTFInvalidUnicode.rtf"), NO_OCR, workdir)
    assert (
        extraction.pages[0].text
        == "Unpaired hi \ufffd here Unpaired lo \ufffd here Mismatched pair \ufffd\ufffd here"
    )


def test_rtf_rejects_other_content(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="not a Rich Text Format"):
        extract_rtf(sample("misc/testICalendar.ics"), NO_OCR, workdir)

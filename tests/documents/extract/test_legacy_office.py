"""Office 97-2003 binary files (.doc, .xls, .ppt) from the test-documents.zip archive."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import olefile
import pytest

from casetrail.documents.extract.base import Extraction, ExtractionFailed
from casetrail.documents.extract.detect import detect_media_type
from casetrail.documents.extract.legacy_office import extract_doc, extract_ppt, extract_xls
from tests.documents.extract.conftest import NO_OCR, sample

# The FILEPASS record type of the BIFF8 workbook stream, which marks an encrypted workbook.
BIFF_FILEPASS = 0x002F


def unpack_member(name: str, directory: Path) -> Path:
    """Write one member of test-documents.zip under ``directory``, named by hash as a blob is."""
    target = directory / f"blob-{name.rsplit('.', 1)[1]}"
    with zipfile.ZipFile(sample("archives/test-documents.zip")) as archive:
        target.write_bytes(archive.read(name))
    return target


def truncated_copy(source: Path, target: Path, size: int) -> Path:
    target.write_bytes(source.read_bytes()[:size])
    return target


def rewrite_stream(path: Path, stream: str, data: bytes) -> None:
    """Replace the bytes of ``stream`` in the OLE file at ``path`` (same length)."""
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        ole.write_stream(stream, data)


def read_stream(path: Path, stream: str) -> bytes:
    with olefile.OleFileIO(str(path)) as ole:
        data: bytes = ole.openstream(stream).read()
    return data


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("testWORD.doc", "application/msword"),
        ("testEXCEL.xls", "application/vnd.ms-excel"),
        ("testPPT.ppt", "application/vnd.ms-powerpoint"),
    ],
)
def test_detect_legacy_office(name: str, expected: str, tmp_path: Path) -> None:
    assert detect_media_type(unpack_member(name, tmp_path)) == expected


def test_detect_embedded_excel_worksheet(tmp_path: Path) -> None:
    # An embedded worksheet in a DOCX is an OLE file without extension.
    embedded = tmp_path / "Microsoft_Office_Excel_97-2003_Worksheet1.bin"
    with zipfile.ZipFile(sample("office/EmbeddedDocument.docx")) as package:
        embedded.write_bytes(package.read("word/embeddings/Microsoft_Office_Excel_97-2003_Worksheet1.bin"))
    assert detect_media_type(embedded) == "application/vnd.ms-excel"


def test_doc_text(tmp_path: Path, workdir: Path) -> None:
    extraction = extract_doc(unpack_member("testWORD.doc", tmp_path), NO_OCR, workdir)
    assert len(extraction.pages) == 1
    assert extraction.pages[0].text == "Sample Word Document\nThis is a sample Microsoft Word Document."


def test_doc_properties(tmp_path: Path, workdir: Path) -> None:
    extraction = extract_doc(unpack_member("testWORD.doc", tmp_path), NO_OCR, workdir)
    assert extraction.media_type == "application/msword"
    assert extraction.title == "Sample Word Document"
    assert extraction.author == "Keith Bennett"
    assert extraction.document_date == datetime(2007, 9, 12, 20, 31, tzinfo=UTC)
    assert extraction.meta["office"]["modified"] == "2007-09-12T20:38:00+00:00"


def test_xls_sheet_per_page(tmp_path: Path, workdir: Path) -> None:
    extraction = extract_xls(unpack_member("testEXCEL.xls", tmp_path), NO_OCR, workdir)
    assert [page.text.splitlines()[0] for page in extraction.pages] == ["Feuil1", "Feuil2", "Feuil3"]
    lines = extraction.pages[0].text.splitlines()
    assert lines[1] == "Sample Excel Worksheet - Numbers and their Squares"
    assert "\tNumber\tSquare" in lines
    # Whole numbers are written without ".0".
    assert "\t12\t144" in lines
    assert lines[-1] == "Written and saved in Microsoft Excel X for Mac Service Release 1."


def test_xls_properties(tmp_path: Path, workdir: Path) -> None:
    extraction = extract_xls(unpack_member("testEXCEL.xls", tmp_path), NO_OCR, workdir)
    assert extraction.title == "Simple Excel document"
    assert extraction.author == "Keith Bennett"
    assert extraction.meta["office"]["last_modified_by"] == "RIBEN9"
    assert extraction.document_date == datetime(2007, 10, 1, 16, 13, 56, tzinfo=UTC)


def test_ppt_text(tmp_path: Path, workdir: Path) -> None:
    extraction = extract_ppt(unpack_member("testPPT.ppt", tmp_path), NO_OCR, workdir)
    first = [line.strip() for line in extraction.pages[0].text.splitlines()]
    assert first == [
        "Sample Powerpoint Slide",
        "Created with Microsoft",
        "Powerpoint X for Mac",
        "Service Release 1",
    ]


def test_ppt_repeated_slide_list_read_once(tmp_path: Path, workdir: Path) -> None:
    # The file was saved incrementally, so its stream contains the slide list twice.
    extraction = extract_ppt(unpack_member("testPPT.ppt", tmp_path), NO_OCR, workdir)
    texts = [page.text for page in extraction.pages]
    assert sum("Sample Powerpoint Slide" in text for text in texts) == 1


def test_ppt_properties(tmp_path: Path, workdir: Path) -> None:
    extraction = extract_ppt(unpack_member("testPPT.ppt", tmp_path), NO_OCR, workdir)
    assert extraction.title == "Sample Powerpoint Slide"
    assert extraction.author == "Keith Bennett"
    assert extraction.document_date == datetime(2007, 9, 14, 17, 33, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "extractor", "kind"),
    [
        ("testWORD.doc", extract_doc, "Word"),
        ("testEXCEL.xls", extract_xls, "Excel"),
        ("testPPT.ppt", extract_ppt, "PowerPoint"),
    ],
)
def test_truncated_legacy_office(
    name: str, extractor: Callable[..., Extraction], kind: str, tmp_path: Path, workdir: Path
) -> None:
    source = unpack_member(name, tmp_path)
    broken = truncated_copy(source, tmp_path / "broken", 5000)
    with pytest.raises(ExtractionFailed, match=f"The {kind} file is damaged or truncated"):
        extractor(broken, NO_OCR, workdir)


def test_doc_password_protected(tmp_path: Path, workdir: Path) -> None:
    # Sets fEncrypted (bit 8 of the FIB flags at offset 0x0A) in a copy.
    protected = unpack_member("testWORD.doc", tmp_path)
    stream = bytearray(read_stream(protected, "WordDocument"))
    (flags,) = struct.unpack_from("<H", stream, 0x0A)
    struct.pack_into("<H", stream, 0x0A, flags | 0x0100)
    rewrite_stream(protected, "WordDocument", bytes(stream))
    with pytest.raises(ExtractionFailed, match="protected by a password"):
        extract_doc(protected, NO_OCR, workdir)


def test_xls_password_protected(tmp_path: Path, workdir: Path) -> None:
    # Turns the record after BOF into FILEPASS in a copy, which is how BIFF8 marks encryption.
    protected = unpack_member("testEXCEL.xls", tmp_path)
    stream = bytearray(read_stream(protected, "Workbook"))
    (_bof_type, bof_length) = struct.unpack_from("<HH", stream, 0)
    struct.pack_into("<H", stream, 4 + bof_length, BIFF_FILEPASS)
    rewrite_stream(protected, "Workbook", bytes(stream))
    with pytest.raises(ExtractionFailed, match="protected by a password"):
        extract_xls(protected, NO_OCR, workdir)


def test_ole_file_of_another_kind(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="no WordDocument stream"):
        extract_doc(sample("email/testMSG_att_doc.msg"), NO_OCR, workdir)

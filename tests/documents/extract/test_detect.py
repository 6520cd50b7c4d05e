from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from casetrail.documents.extract.registry import EXTRACTORS, detect_media_type
from tests.documents.extract.conftest import sample


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("pdf/testPDF.pdf", "application/pdf"),
        (
            "office/eng_spa_mult.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("office/testEXCEL.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("office/testPPT.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("office/password_protected.xlsx", "application/encrypted"),
        ("email/testMSG_att_doc.msg", "application/vnd.ms-outlook"),
        ("email/testRFC822_multipart_attachments.eml", "message/rfc822"),
        # libmagic reports these two e-mails as text/html and text/plain.
        ("email/email-no-utf8-2014-03-17.111517.eml", "message/rfc822"),
        ("email/testEmailWithPNGAtt.eml", "message/rfc822"),
        # A one-message mbox is one message.
        ("email/testMBOX_complex.mbox", "message/rfc822"),
        ("archives/test-documents.zip", "application/zip"),
        ("archives/test-documents.7z", "application/x-7z-compressed"),
        ("images/testHEIF.heic", "image/heic"),
        ("images/testTIFF_multipage.tif", "image/tiff"),
        ("audio_video/testVideoMp4.mp4", "video/mp4"),
        ("audio_video/testMP3id3v2.mp3", "audio/mpeg"),
        ("malformed/testODTnotaZipFile.odt", "text/plain"),
        ("malformed/testWORD_truncated.docx", "application/zip"),
    ],
)
def test_detect_by_content(relative: str, expected: str) -> None:
    assert detect_media_type(sample(relative)) == expected


def test_detect_odt_inside_zip(tmp_path: Path) -> None:
    odt = tmp_path / "renamed.bin"
    with zipfile.ZipFile(sample("archives/test-documents.zip")) as archive:
        odt.write_bytes(archive.read("testOpenOffice2.odt"))
    assert detect_media_type(odt) == "application/vnd.oasis.opendocument.text"


def test_detect_mbox_with_two_messages(tmp_path: Path) -> None:
    first = sample("email/testEmailWithPNGAtt.eml").read_bytes()
    mbox = tmp_path / "box"
    mbox.write_bytes(first + b"\n" + first)
    assert detect_media_type(mbox) == "application/mbox"


def test_detect_pst_signature(tmp_path: Path) -> None:
    pst = tmp_path / "mailbox"
    pst.write_bytes(b"!BDN" + bytes(508))
    assert detect_media_type(pst) == "application/vnd.ms-outlook-pst"


@pytest.mark.parametrize(
    "relative",
    [
        "pdf/testPDF.pdf",
        "images/DSCN0010_gps.jpg",
        "images/testHEIF.heic",
        "images/testWEBP.webp",
        "office/EmbeddedDocument.docx",
        "html/testHTML.html",
        "csv/stanley-cups-utf-16.csv",
        "email/testMSG_chinese.msg",
        "email/testEML_embedded_xhtml_and_img.eml",
        "archives/test7Z_protected_passTika.7z",
        "audio_video/testWAV.wav",
        "malformed/testRTFInvalidUnicode.rtf",
        "misc/testKML.kml",
        "misc/testICalendar.ics",
    ],
)
def test_registry_covers_detected_type(relative: str) -> None:
    assert detect_media_type(sample(relative)) in EXTRACTORS


def test_unknown_text_type_read_as_plain_text(tmp_path: Path) -> None:
    # libmagic names an INI file with a [DEFAULT] section a Wine extension file.
    shortcut = tmp_path / "link.url"
    shortcut.write_bytes(
        b"[DEFAULT]\r\nBASEURL=http://example.org/\r\n[InternetShortcut]\r\nURL=http://example.org/\r\n"
    )
    assert detect_media_type(shortcut) == "text/plain"


def test_binary_never_read_as_text(tmp_path: Path) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 4)
    assert detect_media_type(blob) != "text/plain"


def test_mail_with_numeric_header_name_is_mail(tmp_path: Path) -> None:
    # Old Microsoft gateways wrote a header named "2.0"; any printable name is valid in RFC 5322.
    message = tmp_path / "message"
    message.write_bytes(
        b"Date: Sun, 03 Jun 2001 22:45:36 -0700\r\n2.0: Microsoft Mail Internet Headers Version 2.0\r\n"
        b"Subject: Possible Spreadsheet\r\nFrom: a@example.org\r\n\r\nBody\r\n"
    )
    assert detect_media_type(message) == "message/rfc822"

"""Messages inside other files: an e-mail attached to an e-mail, an Outlook message in a DOCX.

No real file attaches one e-mail to another, so the outer message is built here from two real
messages with Python's email package.
"""

from __future__ import annotations

import struct
import zipfile
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import olefile
import pytest
from sqlalchemy import select

from casetrail.db.engine import transaction
from casetrail.documents.extract.base import Extraction, ExtractionFailed
from casetrail.documents.extract.detect import detect_media_type
from casetrail.documents.extract.mail import extract_eml
from casetrail.documents.extract.office import extract_docx
from casetrail.documents.extract.ole_package import NATIVE_STREAM, extract_ole_package
from casetrail.documents.extract.outlook import extract_msg_file
from casetrail.documents.models import Document
from tests.documents.conftest import World, reload, run_worker
from tests.documents.extract.conftest import NO_OCR, sample

INNER_SUBJECT = "Google Account password changed"
EMBEDDED_OBJECT = "word/embeddings/oleObject1.bin"
EMBEDDED_SUBJECT = "This is a Test Message with a PDF Attachment"


def message_with_attached_message() -> bytes:
    """Return a real e-mail with another real e-mail attached as ``message/rfc822``."""
    parser = BytesParser(policy=policy.default)
    outer = parser.parsebytes(sample("email/testEmailWithPNGAtt.eml").read_bytes())
    inner = parser.parsebytes(sample("email/email-no-utf8-2014-03-17.111517.eml").read_bytes())
    assert isinstance(outer, EmailMessage)
    outer.add_attachment(inner)
    return outer.as_bytes()


def embedded_object(directory: Path) -> Path:
    target = directory / "oleObject1.bin"
    with zipfile.ZipFile(sample("office/EmbeddedOutlook.docx")) as package:
        target.write_bytes(package.read(EMBEDDED_OBJECT))
    return target


def child_named(extraction: Extraction, name: str) -> Path:
    [path] = [child.path for child in extraction.children if child.file_name == name]
    return path


def test_eml_attached_message_is_child(tmp_path: Path, workdir: Path) -> None:
    outer = tmp_path / "outer"
    outer.write_bytes(message_with_attached_message())
    extraction = extract_eml(outer, NO_OCR, workdir)
    names = [child.file_name for child in extraction.children]
    declared = {child.file_name: child.declared_media_type for child in extraction.children}
    assert names == ["testPNG.png", f"{INNER_SUBJECT}.eml"]
    assert declared[f"{INNER_SUBJECT}.eml"] == "message/rfc822"


def test_eml_attached_message_headers(tmp_path: Path, workdir: Path) -> None:
    outer = tmp_path / "outer"
    outer.write_bytes(message_with_attached_message())
    child = child_named(extract_eml(outer, NO_OCR, workdir), f"{INNER_SUBJECT}.eml")
    assert detect_media_type(child) == "message/rfc822"
    inner = extract_eml(child, NO_OCR, workdir / "inner")
    assert inner.title == INNER_SUBJECT
    assert inner.author == "no-reply@accounts.google.com"
    assert inner.meta["email"]["to"] == ["slatest@gmail.com"]
    assert inner.document_date == datetime(2014, 3, 17, 11, 15, 4, tzinfo=UTC)


def test_eml_attached_message_body(tmp_path: Path, workdir: Path) -> None:
    outer = tmp_path / "outer"
    outer.write_bytes(message_with_attached_message())
    child = child_named(extract_eml(outer, NO_OCR, workdir), f"{INNER_SUBJECT}.eml")
    inner = extract_eml(child, NO_OCR, workdir / "inner")
    assert "The password for your Google Account" in inner.pages[0].text
    assert [grandchild.file_name for grandchild in inner.children] == ["google.png", "profilephoto.png"]


def test_eml_outer_body_keeps_its_own_text(tmp_path: Path, workdir: Path) -> None:
    outer = tmp_path / "outer"
    outer.write_bytes(message_with_attached_message())
    text = extract_eml(outer, NO_OCR, workdir).pages[0].text
    assert "This email has a PNG attachment included in it" in text
    assert "The password for your Google Account" not in text


def test_docx_embedded_object_detected_as_package(tmp_path: Path) -> None:
    assert detect_media_type(embedded_object(tmp_path)) == "application/x-ole-package"


def test_ole_package_unpacks_message(tmp_path: Path, workdir: Path) -> None:
    extraction = extract_ole_package(embedded_object(tmp_path), NO_OCR, workdir)
    assert [child.file_name for child in extraction.children] == ["licensedTestMsgwAtt.msg"]
    assert detect_media_type(extraction.children[0].path) == "application/vnd.ms-outlook"
    assert extraction.meta["ole_package"]["source_path"].endswith("\\msg files\\licensedTestMsgwAtt.msg")


def test_docx_embedded_message_headers_and_body(tmp_path: Path, workdir: Path) -> None:
    docx = extract_docx(sample("office/EmbeddedOutlook.docx"), NO_OCR, workdir / "docx")
    package = extract_ole_package(child_named(docx, EMBEDDED_OBJECT), NO_OCR, workdir / "package")
    message = extract_msg_file(package.children[0].path, NO_OCR, workdir / "message")
    assert message.title == EMBEDDED_SUBJECT
    assert message.meta["email"]["to"] == ["bob@bob.com <bob@bob.com>", "dave@dave.com <dave@dave.com>"]
    assert "Sample Outlook Message with Attachments" in message.pages[0].text
    assert [child.file_name for child in message.children] == ["docSavedAspdf.pdf"]


def test_ole_package_data_cut_short(tmp_path: Path, workdir: Path) -> None:
    # A copy whose Ole10Native stream declares more bytes of embedded data than it contains.
    damaged = embedded_object(tmp_path)
    with olefile.OleFileIO(str(damaged)) as ole:
        native = bytearray(ole.openstream(NATIVE_STREAM).read())
    data_length_offset = native.index(b"\xd0\xcf\x11\xe0") - 4
    (length,) = struct.unpack_from("<I", native, data_length_offset)
    struct.pack_into("<I", native, data_length_offset, length + len(native))
    with olefile.OleFileIO(str(damaged), write_mode=True) as ole:
        ole.write_stream(NATIVE_STREAM, bytes(native))
    with pytest.raises(ExtractionFailed, match=r"declares \d+ bytes of data but only \d+ follow"):
        extract_ole_package(damaged, NO_OCR, workdir)


def _children(world: World, parent_id: str) -> dict[str, Document]:
    with transaction(world.factory) as session:
        rows = session.execute(select(Document).where(Document.parent_id == parent_id)).scalars()
        return {row.file_name: row for row in rows}


def test_pipeline_eml_in_eml(world: World) -> None:
    outer = world.store_bytes(message_with_attached_message(), "outer.eml")

    run_worker(world)

    inner = _children(world, outer.id)[f"{INNER_SUBJECT}.eml"]
    grandchildren = _children(world, inner.id)
    assert reload(world, outer.id).status == "ingested"
    assert inner.status == "ingested"
    assert inner.media_type == "message/rfc822"
    assert inner.title == INNER_SUBJECT
    assert inner.depth == 1
    assert {row.media_type for row in grandchildren.values()} == {"image/png"}


def test_pipeline_msg_in_docx(world: World) -> None:
    docx = world.store_bytes(sample("office/EmbeddedOutlook.docx").read_bytes(), "EmbeddedOutlook.docx")

    run_worker(world)

    package = _children(world, docx.id)[EMBEDDED_OBJECT]
    message = _children(world, package.id)["licensedTestMsgwAtt.msg"]
    attachment = _children(world, message.id)["docSavedAspdf.pdf"]
    assert package.status == "ingested"
    assert message.status == "ingested"
    assert message.media_type == "application/vnd.ms-outlook"
    assert message.title == EMBEDDED_SUBJECT
    assert attachment.status == "ingested"
    assert attachment.media_type == "application/pdf"

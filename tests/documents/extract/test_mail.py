from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

from casetrail.documents.extract.base import ExtractionFailed
from casetrail.documents.extract.mail import extract_eml, extract_mbox
from casetrail.documents.extract.outlook import extract_msg_file, extract_pst
from tests.documents.extract.conftest import NO_OCR, sample


def test_eml_headers(workdir: Path) -> None:
    extraction = extract_eml(sample("email/testEmailWithPNGAtt.eml"), NO_OCR, workdir)
    headers = extraction.meta["email"]
    assert headers["from"] == ["Tika Test <XXXX@apache.org>"]
    assert headers["to"] == ["Tika Test <XXXX@apache.org>"]
    assert headers["subject"] == "Test Attachment Email"
    assert headers["message_id"] == "<578FA836.9010603@apache.org>"
    assert extraction.document_date == datetime(2016, 7, 20, 17, 35, 2, tzinfo=timezone(timedelta(hours=1)))


def test_eml_title_author_body(workdir: Path) -> None:
    extraction = extract_eml(sample("email/testEmailWithPNGAtt.eml"), NO_OCR, workdir)
    assert extraction.title == "Test Attachment Email"
    assert extraction.author == "Tika Test <XXXX@apache.org>"
    assert "This email has a PNG attachment included in it" in extraction.pages[0].text


def test_eml_attachment_child(workdir: Path) -> None:
    extraction = extract_eml(sample("email/testEmailWithPNGAtt.eml"), NO_OCR, workdir)
    assert [child.file_name for child in extraction.children] == ["testPNG.png"]
    assert extraction.children[0].path.read_bytes().startswith(b"\x89PNG")


def test_eml_multipart_attachments(workdir: Path) -> None:
    extraction = extract_eml(sample("email/testRFC822_multipart_attachments.eml"), NO_OCR, workdir)
    assert [child.file_name for child in extraction.children] == ["Test TxtA.txt", "Test TxtB.txt"]


def test_eml_html_body_and_inline_image(workdir: Path) -> None:
    extraction = extract_eml(sample("email/testEML_embedded_xhtml_and_img.eml"), NO_OCR, workdir)
    assert "Using inline content" in extraction.pages[0].text
    assert [child.declared_media_type for child in extraction.children] == ["image/jpeg"]


def test_eml_nested_message(tmp_path: Path, workdir: Path) -> None:
    inner = email.message_from_bytes(
        sample("email/testEmailWithPNGAtt.eml").read_bytes(), policy=email.policy.default
    )
    outer = EmailMessage()
    outer["From"] = "analyst@example.org"
    outer["To"] = "lead@example.org"
    outer["Subject"] = "Fwd: Test Attachment Email"
    outer.set_content("Forwarding the original message.")
    outer.add_attachment(inner)
    forwarded = tmp_path / "forward.eml"
    forwarded.write_bytes(outer.as_bytes())

    extraction = extract_eml(forwarded, NO_OCR, workdir)
    assert len(extraction.children) == 1
    child = extraction.children[0]
    assert child.declared_media_type == "message/rfc822"
    nested = extract_eml(child.path, NO_OCR, workdir / "nested")
    assert nested.title == "Test Attachment Email"
    assert [grandchild.file_name for grandchild in nested.children] == ["testPNG.png"]


def test_eml_non_utf8(workdir: Path) -> None:
    extraction = extract_eml(sample("email/email-no-utf8-2014-03-17.111517.eml"), NO_OCR, workdir)
    assert extraction.title == "Google Account password changed"
    assert "The password for your Google Account" in extraction.pages[0].text


def test_eml_malformed_encoding_partial(workdir: Path) -> None:
    # The body does not follow its declared encoding, but headers and text still come out.
    extraction = extract_eml(sample("malformed/fake-email-malformed-encoding.eml"), NO_OCR, workdir)
    assert extraction.title == "Test Email"
    assert "Roses are red" in extraction.pages[0].text


def test_eml_without_headers(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="no headers"):
        extract_eml(sample("malformed/empty.eml"), NO_OCR, workdir)


def test_mbox_messages_become_children(tmp_path: Path, workdir: Path) -> None:
    mbox = tmp_path / "box.mbox"
    mbox.write_bytes(
        sample("email/testMBOX_complex.mbox").read_bytes()
        + b"\n"
        + sample("email/testEmailWithPNGAtt.eml").read_bytes()
    )
    extraction = extract_mbox(mbox, NO_OCR, workdir)
    assert extraction.meta["mailbox"] == {"messages": 2, "format": "mbox"}
    assert [child.file_name for child in extraction.children] == ["xxxxxxx.eml", "Test Attachment Email.eml"]
    assert "Test Attachment Email" in extraction.pages[0].text


def test_mbox_child_is_message(workdir: Path) -> None:
    extraction = extract_mbox(sample("email/testMBOX_complex.mbox"), NO_OCR, workdir)
    message = extract_eml(extraction.children[0].path, NO_OCR, workdir / "message")
    assert "My name is Another Person" in message.pages[0].text


def test_mbox_without_messages(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="no messages"):
        extract_mbox(sample("csv/testCSV.csv"), NO_OCR, workdir)


def test_msg_headers_and_attachments(workdir: Path) -> None:
    extraction = extract_msg_file(sample("email/testMSG_att_doc.msg"), NO_OCR, workdir)
    assert extraction.title == "test pièce jointe 1"
    assert extraction.author == "Nicolas1 23456"
    assert extraction.document_date == datetime(2009, 4, 22, 14, 36, 33, 734375, tzinfo=UTC)
    assert [child.file_name for child in extraction.children] == ["test-unicode.doc", "pj1.txt"]


def test_msg_body(workdir: Path) -> None:
    extraction = extract_msg_file(sample("email/fake-email-attachment.msg"), NO_OCR, workdir)
    assert "Here's the attachments!" in extraction.pages[0].text
    assert extraction.children[0].path.read_bytes().strip()


def test_msg_internet_code_page(workdir: Path) -> None:
    extraction = extract_msg_file(sample("email/testMSG_chinese.msg"), NO_OCR, workdir)
    assert extraction.title == "Alfresco MSG format testing ( MSG 格式測試 )"
    assert "中文測試" in extraction.pages[0].text


def test_msg_reader_rejects_pdf(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="cannot be read"):
        extract_msg_file(sample("pdf/testPDF.pdf"), NO_OCR, workdir)


def test_pst_reader_rejects_msg(workdir: Path) -> None:
    # No PST file is available to the tests, so this checks the failure path only.
    with pytest.raises(ExtractionFailed, match="not a readable Outlook PST"):
        extract_pst(sample("email/testMSG_att_doc.msg"), NO_OCR, workdir)


def test_nested_message_label_without_slash(tmp_path: Path, workdir: Path) -> None:
    inner = EmailMessage()
    inner["Subject"] = "Invoices 2023/2024"
    inner["From"] = "accounts@example.org"
    inner.set_content("Both years attached.")
    outer = EmailMessage()
    outer["From"] = "analyst@example.org"
    outer["Subject"] = "Fwd: Invoices"
    outer.set_content("See below.")
    outer.add_attachment(inner)
    forwarded = tmp_path / "forward.eml"
    forwarded.write_bytes(outer.as_bytes())
    extraction = extract_eml(forwarded, NO_OCR, workdir)
    assert [child.file_name for child in extraction.children] == ["Invoices 2023-2024.eml"]

"""Outlook files: single messages (.msg, read with extract-msg) and PST/OST mailboxes (pypff).

A .msg gives one page like an .eml (see ``mail.py``). File attachments become children, and an
attached Outlook message is exported as its own ``.msg`` child. A PST mailbox gives one child
``.eml`` per message, rebuilt from the stored transport headers (or from the sender, subject
and delivery time when there are none), the bodies and the attachments. The child's label is
its folder path plus the subject. The mailbox page lists folder, date, sender and subject.
"""

from __future__ import annotations

import codecs
import email.message
import mimetypes
from datetime import UTC, datetime
from email import policy
from email.parser import Parser
from pathlib import Path
from typing import Any

import extract_msg
import pypff
from extract_msg.enums import AttachmentType
from extract_msg.exceptions import ExMsgBaseException

from casetrail.documents.extract._common import ChildWriter, check_input, decode_text
from casetrail.documents.extract.base import ExtractedPage, Extraction, ExtractionFailed, Limits
from casetrail.documents.extract.html import html_to_text
from casetrail.documents.extract.mail import header_block, message_headers, subject_label

_MSG_ERRORS = (
    ExMsgBaseException,
    OSError,
    ValueError,
    KeyError,
    TypeError,
    NotImplementedError,
    AttributeError,
)
# Headers that describe the original MIME structure, which the rebuilt message replaces.
_STRUCTURE_HEADERS = {"content-type", "content-transfer-encoding", "mime-version", "content-disposition"}


def extract_msg_file(path: Path, limits: Limits, workdir: Path) -> Extraction:
    size = check_input(path, limits)
    try:
        message = _open_msg(path)
    except _MSG_ERRORS as exc:
        raise ExtractionFailed(f"The Outlook message cannot be read because it is damaged ({exc}).") from exc
    try:
        return _msg_extraction(message, ChildWriter(workdir, limits, size))
    except ExtractionFailed:
        raise
    except _MSG_ERRORS as exc:
        raise ExtractionFailed(f"The Outlook message cannot be read because it is damaged ({exc}).") from exc
    finally:
        message.close()


def _open_msg(path: Path) -> Any:
    """Open a .msg, honouring the internet code page when the message code page is missing.

    A message saved without Unicode strings and without ``PR_MESSAGE_CODEPAGE`` (0x3FFD) is
    decoded by extract-msg 0.57 as ISO-8859-15, but ``PR_INTERNET_CPID`` (0x3FDE) names the code page
    the text really uses, for example 950 (Big5) for traditional Chinese.
    """
    message = extract_msg.openMsg(str(path))
    if message.areStringsUnicode or message.getPropertyVal("3FFD0003") is not None:
        return message
    code_page = message.getPropertyVal("3FDE0003")
    try:
        encoding = codecs.lookup(f"cp{code_page}").name if code_page else None
    except LookupError:
        encoding = None
    if encoding is None:
        return message
    message.close()
    return extract_msg.openMsg(str(path), overrideEncoding=encoding)


def _msg_extraction(message: Any, writer: ChildWriter) -> Extraction:
    sent: datetime | None = getattr(message, "date", None)
    if sent is not None and sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    headers: dict[str, Any] = {
        "from": [str(message.sender)] if getattr(message, "sender", None) else [],
        "to": _recipients(getattr(message, "to", None)),
        "cc": _recipients(getattr(message, "cc", None)),
        "bcc": _recipients(getattr(message, "bcc", None)),
        "subject": (getattr(message, "subject", None) or "").strip(),
        "date": sent.isoformat() if sent else "",
        "message_id": (getattr(message, "messageId", None) or "").strip(),
        "in_reply_to": (getattr(message, "inReplyTo", None) or "").strip(),
    }
    for index, attachment in enumerate(getattr(message, "attachments", []), start=1):
        _write_msg_attachment(attachment, index, writer)
    return Extraction(
        media_type="application/vnd.ms-outlook",
        title=headers["subject"],
        author=headers["from"][0] if headers["from"] else "",
        document_date=sent,
        pages=[ExtractedPage(1, header_block(headers) + "\n\n" + _msg_body(message))],
        meta={"email": headers},
        children=writer.children,
    )


def _recipients(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(";") if item.strip()]


def _msg_body(message: Any) -> str:
    body = getattr(message, "body", None)
    if body and body.strip():
        return str(body).replace("\r\n", "\n").strip()
    html = getattr(message, "htmlBody", None)
    if html:
        text = html if isinstance(html, str) else decode_text(html)[0]
        return html_to_text(text)
    return ""


def _write_msg_attachment(attachment: Any, index: int, writer: ChildWriter) -> None:
    name = attachment.longFilename or attachment.shortFilename or f"attachment-{index}"
    if attachment.type == AttachmentType.DATA and isinstance(attachment.data, bytes):
        writer.add_bytes(name, attachment.data, getattr(attachment, "mimetype", None) or "")
    elif attachment.type == AttachmentType.MSG and attachment.data is not None:
        # NOTE: no .msg with an attached Outlook message was available, so this branch is untested.
        subject = subject_label(getattr(attachment.data, "subject", None) or "")
        label = f"{subject or f'attached-message-{index}'}.msg"
        target = writer.new_path(label)
        attachment.data.export(str(target))
        writer.count(target.stat().st_size)
        writer.register(label, target, "application/vnd.ms-outlook")


def extract_pst(path: Path, limits: Limits, workdir: Path) -> Extraction:
    """Unpack a PST or OST mailbox into one ``.eml`` child per message.

    NOTE: tested on one real PST (Outlook 2003 format, 71 messages); no OST file was tried.
    """
    size = check_input(path, limits)
    store = pypff.file()
    try:
        store.open(str(path))
    except OSError as exc:
        raise ExtractionFailed(
            "The file is not a readable Outlook PST/OST mailbox. It is damaged or of another kind."
        ) from exc
    writer = ChildWriter(workdir, limits, size)
    listing: list[str] = []
    try:
        _walk_folder(store.get_root_folder(), "", writer, listing)
    except OSError as exc:
        raise ExtractionFailed(
            f"The Outlook mailbox is damaged and cannot be read to the end ({exc})."
        ) from exc
    finally:
        store.close()
    return Extraction(
        media_type="application/vnd.ms-outlook-pst",
        pages=[ExtractedPage(1, "\n".join(listing))],
        meta={"mailbox": {"messages": len(listing), "format": "pst"}},
        children=writer.children,
    )


def _walk_folder(folder: Any, folder_path: str, writer: ChildWriter, listing: list[str]) -> None:
    for index in range(folder.get_number_of_sub_messages()):
        rebuilt = pst_message_to_mime(folder.get_sub_message(index))
        headers = message_headers(rebuilt)
        label = subject_label(headers["subject"]) or f"message-{index + 1}"
        writer.add_bytes(f"{folder_path}/{label}.eml".lstrip("/"), rebuilt.as_bytes(), "message/rfc822")
        listing.append(
            f"{folder_path or '/'}\t{headers['date']}\t{', '.join(headers['from'])}\t{headers['subject']}"
        )
    for index in range(folder.get_number_of_sub_folders()):
        sub = folder.get_sub_folder(index)
        _walk_folder(sub, f"{folder_path}/{sub.get_name() or index}", writer, listing)


def pst_message_to_mime(item: Any) -> email.message.EmailMessage:
    """Rebuild a MIME message from one PST message item."""
    rebuilt = email.message.EmailMessage(policy=policy.default)
    transport = item.get_transport_headers() or ""
    if transport.strip():
        original = Parser(policy=policy.compat32).parsestr(transport, headersonly=True)
        for name, value in original.items():
            if name.lower() in _STRUCTURE_HEADERS:
                continue
            # Some stored transport headers repeat Date or Subject, which a message may carry
            # once (RFC 5322, section 3.6); the first one is kept.
            if name in rebuilt and policy.default.header_max_count(name) == 1:
                continue
            rebuilt[name] = str(value).replace("\r", "").replace("\n", " ")
    else:
        rebuilt["From"] = item.get_sender_name() or ""
        rebuilt["Subject"] = item.get_subject() or ""
        delivered = item.get_delivery_time() or item.get_client_submit_time()
        if isinstance(delivered, datetime):
            stamp = delivered if delivered.tzinfo else delivered.replace(tzinfo=UTC)
            rebuilt["Date"] = stamp.strftime("%a, %d %b %Y %H:%M:%S %z")
    plain = item.get_plain_text_body()
    html = item.get_html_body()
    rebuilt.set_content(decode_text(plain)[0] if plain else "")
    if html:
        rebuilt.add_alternative(decode_text(html)[0], subtype="html")
    for index in range(item.get_number_of_attachments()):
        attachment = item.get_attachment(index)
        size = attachment.get_size() or 0
        data = attachment.read_buffer(size) if size else b""
        name = _attachment_name(attachment) or f"attachment-{index + 1}"
        maintype, _, subtype = (mimetypes.guess_type(name)[0] or "application/octet-stream").partition("/")
        rebuilt.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return rebuilt


def _attachment_name(attachment: Any) -> str:
    try:
        return str(attachment.get_long_filename() or "")
    except OSError:
        return ""

"""E-mail in MIME form: single messages (.eml) and mbox mailboxes.

A message gives one page: a short header block (From, To, Cc, Date, Subject) followed by
the body, the plain-text alternative when there is one and the HTML converted to text
otherwise. Attachments, inline images and attached messages (``message/rfc822``) become
children. An attached message is written as its own ``.eml`` file, so the pipeline ingests it
as a message with its own attachments. An mbox mailbox gives one child ``.eml`` per message
and a page listing date, sender and subject of each.

A file with a single "From " separator line is detected as one message, not as a mailbox.
"""

from __future__ import annotations

import email.message
import email.utils
import mailbox
import mimetypes
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from casetrail.documents.extract._common import ChildWriter, check_input, decode_text
from casetrail.documents.extract.base import ExtractedPage, Extraction, ExtractionFailed, Limits
from casetrail.documents.extract.html import html_to_text

_ADDRESS_HEADERS = ("from", "to", "cc", "bcc")
_BODY_TYPES = ("text/plain", "text/html")
_MAX_NAME_CHARS = 80


def extract_eml(path: Path, limits: Limits, workdir: Path) -> Extraction:
    size = check_input(path, limits)
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    if not any(message.keys()):
        raise ExtractionFailed("The file is not an e-mail message: it has no headers.")
    writer = ChildWriter(workdir, limits, size)
    return message_extraction(message, writer)


def message_extraction(message: email.message.EmailMessage, writer: ChildWriter) -> Extraction:
    """Build the extraction of one parsed message, writing its attachments with ``writer``."""
    headers = message_headers(message)
    body = _body_text(message)
    for index, part in enumerate(_attachment_parts(message), start=1):
        _write_attachment(part, index, writer)
    return Extraction(
        media_type="message/rfc822",
        title=headers["subject"],
        author=headers["from"][0] if headers["from"] else "",
        document_date=parse_mail_date(str(message.get("date", "") or "")),
        pages=[ExtractedPage(1, header_block(headers) + "\n\n" + body)],
        meta={"email": headers},
        children=writer.children,
    )


def message_headers(message: email.message.Message) -> dict[str, Any]:
    """Return the ``meta["email"]`` mapping: address lists, subject, ISO date and ids."""
    headers: dict[str, Any] = {}
    for name in _ADDRESS_HEADERS:
        values = [_header_text(message, name, value) for value in message.get_all(name, [])]
        headers[name] = [
            email.utils.formataddr(pair) if pair[0] else pair[1]
            for pair in email.utils.getaddresses(values)
            if pair[1] or pair[0]
        ]
    headers["subject"] = _header_text(message, "subject", message.get("subject", "")).strip()
    date = parse_mail_date(_header_text(message, "date", message.get("date", "")))
    headers["date"] = date.isoformat() if date else ""
    headers["message_id"] = _header_text(message, "message-id", message.get("message-id", "")).strip()
    headers["in_reply_to"] = _header_text(message, "in-reply-to", message.get("in-reply-to", "")).strip()
    return headers


def header_block(headers: dict[str, Any]) -> str:
    lines = [
        f"From: {', '.join(headers['from'])}",
        f"To: {', '.join(headers['to'])}",
    ]
    if headers["cc"]:
        lines.append(f"Cc: {', '.join(headers['cc'])}")
    lines += [f"Date: {headers['date']}", f"Subject: {headers['subject']}"]
    return "\n".join(lines)


def parse_mail_date(value: str) -> datetime | None:
    """Parse an RFC 5322 date, reading a date without a zone as UTC."""
    if not value.strip():
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _header_text(message: email.message.Message, name: str, value: Any) -> str:
    """Return a header value as text, or the raw value when the policy cannot parse it."""
    try:
        return str(value or "")
    except (ValueError, TypeError, LookupError):
        raw = message.get_all(name, failobj=[])
        return " ".join(str(item) for item in raw)


def _body_text(message: email.message.EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = _part_text(body)
    return html_to_text(text) if body.get_content_type() == "text/html" else text.strip()


def _part_text(part: email.message.Message) -> str:
    """Decode a text part, falling back to detection for unknown or wrong charsets."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    text, _encoding = decode_text(payload, part.get_content_charset())
    return text.replace("\r\n", "\n")


def _attachment_parts(message: email.message.EmailMessage) -> Iterator[email.message.Message]:
    """Yield attachments, inline images and attached messages, but not the body parts."""
    body = message.get_body(preferencelist=("plain", "html"))
    for part, parent_type in _leaves(message, ""):
        if part is body:
            continue
        is_text = part.get_content_type() in _BODY_TYPES
        named = part.get_filename() is not None
        attached = part.get_content_disposition() == "attachment"
        if (
            is_text
            and not named
            and not attached
            and parent_type in ("multipart/alternative", "multipart/related")
        ):
            continue
        yield part


def _leaves(part: email.message.Message, parent_type: str) -> Iterator[tuple[email.message.Message, str]]:
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part, parent_type
        return
    payload = part.get_payload()
    if isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, email.message.Message):
                yield from _leaves(sub, part.get_content_type())


def _write_attachment(part: email.message.Message, index: int, writer: ChildWriter) -> None:
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        inner = part.get_payload()
        nested = inner[0] if isinstance(inner, list) and inner else None
        if isinstance(nested, email.message.Message):
            subject = _header_text(nested, "subject", nested.get("subject", "")).strip()
            name = f"{subject_label(subject) or f'attached-message-{index}'}.eml"
            writer.add_bytes(
                part.get_filename() or name, nested.as_bytes(policy=policy.compat32), "message/rfc822"
            )
        return
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return
    name = part.get_filename() or f"part-{index}{_extension(content_type)}"
    writer.add_bytes(name, payload, content_type)


def subject_label(subject: str) -> str:
    """Return a subject shortened for use as a child's file name, with no "/" in it."""
    return subject.replace("/", "-").replace("\\", "-").strip()[:_MAX_NAME_CHARS]


def _extension(content_type: str) -> str:
    return mimetypes.guess_extension(content_type) or ".bin"


def extract_mbox(path: Path, limits: Limits, workdir: Path) -> Extraction:
    size = check_input(path, limits)
    writer = ChildWriter(workdir, limits, size)
    box = mailbox.mbox(path, create=False)
    listing: list[str] = []
    try:
        for key in box.iterkeys():
            data = box.get_bytes(key)
            message = BytesParser(policy=policy.default).parsebytes(data, headersonly=True)
            headers = message_headers(message)
            label = subject_label(headers["subject"]) or "message"
            writer.add_bytes(f"{label}.eml", data, "message/rfc822")
            listing.append(f"{headers['date']}\t{', '.join(headers['from'])}\t{headers['subject']}")
    except (mailbox.Error, OSError) as exc:
        raise ExtractionFailed(f"The mbox mailbox cannot be read: {exc}.") from exc
    finally:
        box.close()
    if not listing:
        raise ExtractionFailed("The mbox mailbox contains no messages.")
    return Extraction(
        media_type="application/mbox",
        pages=[ExtractedPage(1, "\n".join(listing))],
        meta={"mailbox": {"messages": len(listing), "format": "mbox"}},
        children=writer.children,
    )

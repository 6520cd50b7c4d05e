"""Media type detection by content: libmagic first, then a look inside where it is vague.

libmagic reports zip-based office files as ``application/zip`` or ``application/octet-stream``,
Outlook messages and PST mailboxes both as ``application/vnd.ms-outlook``, some Office
97-2003 files (embedded ones in particular) as ``application/vnd.ms-office`` or
``application/CDFV2``, and e-mail files
that start with a header block as ``text/plain`` or ``text/html``. ``detect_media_type``
resolves these cases from the bytes and never looks at the file name.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import magic
import olefile

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
MSG = "application/vnd.ms-outlook"
PST = "application/vnd.ms-outlook-pst"
MBOX = "application/mbox"
EML = "message/rfc822"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
# A file embedded with "Insert > Object" (an OLE container with an Ole10Native stream). No
# registered media type exists for it, so this name is Casetrail's own.
OLE_PACKAGE = "application/x-ole-package"
# libmagic's label for an OLE container holding an encrypted OOXML package.
ENCRYPTED_OFFICE = "application/encrypted"

_OOXML_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "xl/workbook.xml": XLSX,
    "ppt/presentation.xml": PPTX,
}
_ZIP_TYPES = {"application/zip", "application/octet-stream", "application/x-zip-compressed"}
_OLE_TYPES = {
    "application/vnd.ms-outlook",
    "application/cdfv2",
    "application/x-ole-storage",
    "application/encrypted",
    "application/vnd.ms-office",
    DOC,
    XLS,
    PPT,
}
# The main stream of each Office 97-2003 binary format ("Book" is Excel 5.0/95).
_OLE_MAIN_STREAMS = {"worddocument": DOC, "workbook": XLS, "book": XLS, "powerpoint document": PPT}
_TEXT_TYPES = {"text/plain", "text/html", "message/rfc822", "application/octet-stream", "text/x-mail"}
_HEAD_BYTES = 64 * 1024
# Tab, line feed, form feed, carriage return: control bytes that plain text carries.
_TEXT_CONTROLS = frozenset(b"\t\n\x0c\r")
# A field name is any printable ASCII but the colon (RFC 5322, section 2.2); real mail has
# names such as "2.0" from old Microsoft gateways.
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_CORE_HEADERS = (b"from:", b"to:", b"subject:", b"date:", b"message-id:", b"received:", b"mime-version:")
# An mbox "From " separator line that follows a blank line (mboxrd/mboxo, RFC 4155).
_MBOX_SEPARATOR = re.compile(rb"\n\r?\nFrom \S+ ")


def detect_media_type(path: Path) -> str:
    """Return the media type of the file at ``path``, judged by its content."""
    reported = magic.from_file(str(path), mime=True)
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if head.startswith(b"!BDN"):
        return PST
    lowered = reported.lower()
    if lowered in _ZIP_TYPES and head.startswith(b"PK"):
        return _zip_based_type(path) or reported
    if lowered in _OLE_TYPES:
        return _ole_based_type(path) or reported
    if lowered in _TEXT_TYPES:
        return _mail_type(head) or reported
    return reported


def looks_like_text(path: Path) -> bool:
    """Return True when the file's first bytes read as text: no NUL, almost no control bytes.

    For types libmagic names but no extractor reads, such as the INI-style ``.url`` shortcuts
    that mail programs attach, whose ``[DEFAULT]`` section libmagic reports as a Wine file.
    Up to one control byte per hundred is allowed, for stray form feeds and escapes in logs.
    """
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if not head or b"\x00" in head:
        return False
    controls = sum(1 for byte in head if (byte < 0x20 and byte not in _TEXT_CONTROLS) or byte == 0x7F)
    return controls <= len(head) // 100


def _zip_based_type(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared
            if "[Content_Types].xml" in names:
                for part, media_type in _OOXML_MAIN_PARTS.items():
                    if part in names:
                        return media_type
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    return None


def _ole_based_type(path: Path) -> str | None:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)}
    except (OSError, ValueError):
        return None
    if "encryptedpackage" in streams:
        return ENCRYPTED_OFFICE
    if "__properties_version1.0" in streams or any(s.startswith("__substg1.0_") for s in streams):
        return MSG
    if "\x01ole10native" in streams:
        return OLE_PACKAGE
    for stream, media_type in _OLE_MAIN_STREAMS.items():
        if stream in streams:
            return media_type
    return None


def _mail_type(head: bytes) -> str | None:
    """Return ``message/rfc822`` or ``application/mbox`` when ``head`` opens with mail headers."""
    lines = head.lstrip(b"\r\n").split(b"\n", 200)
    starts_with_separator = lines[0].startswith(b"From ")
    header_block = lines[1:] if starts_with_separator else lines
    names: set[bytes] = set()
    for line in header_block:
        stripped = line.rstrip(b"\r")
        if not stripped:
            break
        if stripped[:1] in (b" ", b"\t"):
            continue
        if not _HEADER_LINE.match(stripped):
            return None
        names.add(stripped.split(b":", 1)[0].lower() + b":")
    if sum(1 for header in _CORE_HEADERS if header in names) < 2:
        return None
    if starts_with_separator and _MBOX_SEPARATOR.search(head):
        return MBOX
    return EML

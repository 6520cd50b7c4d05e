"""Media type detection from content (magic bytes), never from the file name a user gave."""

from __future__ import annotations

import filetype

OCTET_STREAM = "application/octet-stream"
TEXT_PLAIN = "text/plain"


def detect_media_type(head: bytes) -> str:
    """Return the media type of a file from its first bytes (8 KiB is plenty).

    Binary formats come from their signatures; content without a signature that decodes as
    UTF-8 and contains no NUL byte is plain text; anything else is ``application/octet-stream``.
    """
    kind = filetype.guess(head) if head else None
    if kind is not None:
        return str(kind.mime)
    if head and b"\x00" not in head and _is_utf8(head):
        return TEXT_PLAIN
    return OCTET_STREAM


def _is_utf8(head: bytes) -> bool:
    # The sample may end inside a multi-byte character, so up to 3 trailing bytes may be cut.
    for cut in range(min(4, len(head))):
        try:
            head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False

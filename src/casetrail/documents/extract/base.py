"""What an extractor returns, the limits it must respect, and how it reports a bad file.

Contract for every extractor ``extract_xxx(path, limits, workdir) -> Extraction``:

- ``path`` is a plain local file holding the decrypted original; it is never modified.
- Children (attachments, archive members, embedded files) are written as files under
  ``workdir``, never held whole in memory, and returned as ``ExtractedChild`` with the name
  they had inside the parent. The pipeline stores and ingests them as child documents.
- A file that cannot be read (corrupt, encrypted, over a limit, unsafe) raises
  ``ExtractionFailed`` with a reason a user can read; nothing else escapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


class ExtractionFailed(Exception):
    """The file cannot be ingested; ``reason`` is shown to users on the document."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    """Safety limits for one extraction. Sizes in bytes."""

    max_file_bytes: int = 4 * 1024**3
    # Archives: total unpacked bytes, unpacked/packed ratio, member count.
    max_unpacked_bytes: int = 2 * 1024**3
    max_ratio: float = 100.0
    max_members: int = 10_000
    # Nesting of child documents (an attachment of a message inside a zip is depth 2).
    max_depth: int = 5
    max_pages: int = 5_000
    max_ocr_pages: int = 500
    ocr_languages: str = "eng"
    # Wall-clock limit for one external tool run (tesseract, ffprobe, ffmpeg), in seconds.
    tool_timeout_s: float = 300.0


@dataclass
class ExtractedPage:
    """Text of one page, 1-based. ``image_png`` is a rendered preview, when there is one."""

    page_no: int
    text: str
    ocr: bool = False
    image_png: bytes | None = None


@dataclass
class ExtractedChild:
    file_name: str
    path: Path
    declared_media_type: str = ""


@dataclass
class Extraction:
    media_type: str
    title: str = ""
    author: str = ""
    document_date: datetime | None = None
    pages: list[ExtractedPage] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    children: list[ExtractedChild] = field(default_factory=list)

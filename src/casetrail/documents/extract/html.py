"""HTML: visible text, title, ``<meta>`` tags, and images embedded as ``data:`` URIs.

The declared charset (``<meta charset>`` or ``http-equiv``) is used when the bytes decode with
it. Otherwise the encoding is detected, because declarations are often wrong. Script and style
contents are dropped. Each ``data:`` URI image becomes a child.
"""

from __future__ import annotations

import base64
import binascii
import re
from html.parser import HTMLParser
from pathlib import Path

from casetrail.documents.extract._common import ChildWriter, check_input, decode_text
from casetrail.documents.extract.base import ExtractedPage, Extraction, ExtractionFailed, Limits

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_HIDDEN_TAGS = {"script", "style", "noscript", "template"}
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "td",
    "th",
}
_DATA_URI = re.compile(r"^data:(image/[\w.+-]+);base64,(.*)$", re.IGNORECASE | re.DOTALL)
_SNIFF_BYTES = 4096
_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.data_images: list[str] = []
        self._hidden_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "title":
            self._in_title = True
        elif tag in _HIDDEN_TAGS:
            self._hidden_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "meta":
            name = attributes.get("name") or attributes.get("property") or attributes.get("http-equiv")
            if name and "content" in attributes:
                self.meta[name.lower()] = attributes["content"]
        if tag == "img" and attributes.get("src", "").startswith("data:"):
            self.data_images.append(attributes["src"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _HIDDEN_TAGS and self._hidden_depth:
            self._hidden_depth -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._hidden_depth:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Return the visible text of an HTML document with blank runs collapsed."""
    return _tidy("".join(_collect(markup).parts))


def _collect(markup: str) -> _TextCollector:
    collector = _TextCollector()
    try:
        collector.feed(markup)
        collector.close()
    except AssertionError as exc:
        # html.parser in Python 3.11 asserts on some malformed markup declarations ("<![").
        raise ExtractionFailed(f"The HTML cannot be parsed: {exc}.") from exc
    return collector


def extract_html(path: Path, limits: Limits, workdir: Path) -> Extraction:
    size = check_input(path, limits)
    data = path.read_bytes()
    declared = _CHARSET.search(data[:_SNIFF_BYTES])
    markup, encoding = decode_text(data, declared.group(1).decode("ascii") if declared else None)
    collector = _collect(markup)
    writer = ChildWriter(workdir, limits, size)
    for index, uri in enumerate(collector.data_images, start=1):
        _write_data_image(writer, uri, index)
    return Extraction(
        media_type="text/html",
        title=_tidy("".join(collector.title_parts)),
        author=collector.meta.get("author", ""),
        pages=[ExtractedPage(1, _tidy("".join(collector.parts)))],
        meta={"encoding": encoding, "html": {"meta": collector.meta}},
        children=writer.children,
    )


def _write_data_image(writer: ChildWriter, uri: str, index: int) -> None:
    match = _DATA_URI.match(uri)
    if not match:
        return
    media_type = match.group(1).lower()
    try:
        data = base64.b64decode(re.sub(r"\s+", "", match.group(2)), validate=True)
    except (binascii.Error, ValueError):
        return
    name = f"embedded-image-{index}.{_EXTENSIONS.get(media_type, 'bin')}"
    writer.add_bytes(name, data, media_type)


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()

"""Reading PDFs in tests the way a reader would: the text layer by two libraries, and the raw bytes."""

from __future__ import annotations

import io
import re
import zlib

import pypdf
import pypdfium2


def pypdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def pdfium_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        parts = []
        for page in document:
            text_page = page.get_textpage()
            parts.append(text_page.get_text_range())
            text_page.close()
            page.close()
    finally:
        document.close()
    return " ".join(" ".join(parts).split())


def decompressed_streams(pdf: bytes) -> bytes:
    """Return every stream of the file, inflated where it is Flate-compressed, concatenated."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        raw = match.group(1)
        try:
            chunks.append(zlib.decompress(raw))
        except zlib.error:
            chunks.append(raw)
    return b"\n".join(chunks)

"""Optical character recognition with the tesseract command-line program.

Tesseract runs offline with the language models installed on the server (Debian's
``tesseract-ocr-eng`` and the other language packages). Nothing is downloaded at run time.
"""

from __future__ import annotations

import io

from PIL import Image

from casetrail.documents.extract._common import run_tool
from casetrail.documents.extract.base import Limits

# Resolution passed to tesseract when the caller does not know the input's, in dpi.
DEFAULT_DPI = 300
PREVIEW_MAX_SIDE_PX = 1000


def ocr_image(image: Image.Image, limits: Limits, *, dpi: int = DEFAULT_DPI) -> str:
    """Return the text tesseract reads in ``image``, stripped of surrounding whitespace."""
    png = to_png(_prepare(image))
    args = ["tesseract", "stdin", "stdout", "-l", limits.ocr_languages, "--dpi", str(dpi)]
    output = run_tool(args, limits, stdin=png)
    return output.decode("utf-8", "replace").strip()


def preview_png(image: Image.Image, max_side: int = PREVIEW_MAX_SIDE_PX) -> bytes:
    """Return a PNG copy of ``image`` scaled down to at most ``max_side`` pixels per side."""
    preview = _prepare(image).copy()
    preview.thumbnail((max_side, max_side))
    return to_png(preview)


def to_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _prepare(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white and drop exotic modes, which tesseract reads badly."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode not in ("RGB", "L", "1"):
        return image.convert("RGB")
    return image

"""Images (JPEG, PNG, TIFF with several pages, HEIC/HEIF, WebP, GIF, BMP): OCR and EXIF.

Each frame of the image becomes a page whose text tesseract reads (``ocr=True``) and whose
``image_png`` is a preview of at most 1000 pixels per side. EXIF tags go to ``meta["exif"]``,
the GPS position to ``meta["gps"]`` and the capture time to ``meta["captured_at"]``.

EXIF stores the capture time in the camera's local time. When no offset tag
(``OffsetTimeOriginal``) is present, ``document_date`` reads that local time as UTC, because
the stored date must carry a zone. ``meta["captured_at"]`` is the ISO 8601 time, with an
offset only when EXIF stores one.
"""

from __future__ import annotations

import struct
import warnings
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pillow_heif
from PIL import ExifTags, Image, ImageSequence, TiffImagePlugin, UnidentifiedImageError

from casetrail.documents.extract._common import check_input
from casetrail.documents.extract.base import ExtractedPage, Extraction, ExtractionFailed, Limits
from casetrail.documents.extract.ocr import ocr_image, preview_png

pillow_heif.register_heif_opener()

# Byte values longer than this (maker notes, thumbnails, JPEG tables) are left out of meta.
_MAX_EXIF_BYTES = 64
_SKIPPED_TAGS = {"MakerNote", "StripOffsets", "StripByteCounts", "JPEGTables", "UserComment"}


def extract_image(path: Path, limits: Limits, workdir: Path) -> Extraction:
    check_input(path, limits)
    image = _open(path)
    with image:
        tags, gps = _read_exif(image)
        pages = _ocr_frames(image, limits)
        media_type = Image.MIME.get(image.format or "", "") or f"image/{(image.format or 'unknown').lower()}"
        meta: dict[str, Any] = {
            "image": {
                "format": image.format,
                "width": image.width,
                "height": image.height,
                "frames": getattr(image, "n_frames", 1),
                "mode": image.mode,
            },
            "exif": tags,
        }
    if gps:
        meta["gps"] = gps
    captured = tags.get("DateTimeOriginal") or tags.get("DateTime")
    parsed = _parse_exif_time(str(captured), str(tags.get("OffsetTimeOriginal", ""))) if captured else None
    captured_at = parsed[0] if parsed else None
    if parsed:
        meta["captured_at"] = parsed[1]
    return Extraction(
        media_type=media_type,
        title=str(tags.get("ImageDescription", "")).strip(),
        author=str(tags.get("Artist", "")).strip(),
        document_date=captured_at,
        pages=pages,
        meta=meta,
    )


def _open(path: Path) -> Image.Image:
    # Pillow only warns between MAX_IMAGE_PIXELS and twice that, so an oversized image is
    # rejected here outright because decoding it can exhaust memory.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(path)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ExtractionFailed(f"The image is too large to decode safely: {exc}") from exc
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise ExtractionFailed(
                f"The image cannot be read because it is damaged or of an unknown kind ({exc})."
            ) from exc


def _read_exif(image: Image.Image) -> tuple[dict[str, Any], dict[str, float] | None]:
    """Return the EXIF tags and GPS position, or nothing when the EXIF block is damaged."""
    try:
        exif = image.getexif()
        return exif_tags(exif), gps_position(exif)
    except (OSError, ValueError, SyntaxError, struct.error, KeyError, TypeError):
        return {}, None


def _ocr_frames(image: Image.Image, limits: Limits) -> list[ExtractedPage]:
    pages: list[ExtractedPage] = []
    try:
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            if index >= limits.max_pages:
                break
            frame.load()
            text = ocr_image(frame, limits) if index < limits.max_ocr_pages else ""
            pages.append(
                ExtractedPage(index + 1, text, ocr=index < limits.max_ocr_pages, image_png=preview_png(frame))
            )
    except (OSError, ValueError, SyntaxError) as exc:
        if not pages:
            raise ExtractionFailed(f"The image cannot be decoded because it is damaged ({exc}).") from exc
    return pages


def exif_tags(exif: Image.Exif) -> dict[str, Any]:
    """Return the base and Exif-IFD tags by name as JSON-safe values."""
    merged = dict(exif.items())
    merged.update(exif.get_ifd(ExifTags.IFD.Exif))
    tags: dict[str, Any] = {}
    for key, value in merged.items():
        name = ExifTags.TAGS.get(key, str(key))
        if name in _SKIPPED_TAGS or name in ("ExifOffset", "GPSInfo"):
            continue
        clean = _json_value(value)
        if clean is not None:
            tags[name] = clean
    return tags


def gps_position(exif: Image.Exif) -> dict[str, float] | None:
    """Return ``{"lat", "lon"}`` (and ``"alt"`` in metres) in decimal degrees, or None."""
    gps = {ExifTags.GPSTAGS.get(k, str(k)): v for k, v in exif.get_ifd(ExifTags.IFD.GPSInfo).items()}
    try:
        lat = _degrees(gps["GPSLatitude"], gps.get("GPSLatitudeRef", "N"), "S")
        lon = _degrees(gps["GPSLongitude"], gps.get("GPSLongitudeRef", "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    position = {"lat": lat, "lon": lon}
    altitude = gps.get("GPSAltitude")
    if altitude is not None:
        below_sea = gps.get("GPSAltitudeRef") in (b"\x01", 1)
        position["alt"] = -float(altitude) if below_sea else float(altitude)
    return position


def _degrees(dms: Any, ref: Any, negative_ref: str) -> float:
    degrees, minutes, seconds = (float(part) for part in dms)
    value = degrees + minutes / 60 + seconds / 3600
    ref_text = ref.decode("ascii", "ignore") if isinstance(ref, bytes) else str(ref)
    return round(-value if ref_text.strip().upper() == negative_ref else value, 7)


def _parse_exif_time(value: str, offset: str) -> tuple[datetime, str] | None:
    """Return the capture time with a zone (UTC when none is stored) and its ISO 8601 text.

    The text carries the offset when EXIF stores one and no zone otherwise, because the
    camera's local time is then all that is known.
    """
    try:
        local = datetime.strptime(value.strip()[:19], "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 (zone added below)
    except ValueError:
        return None
    zone = _exif_offset(offset)
    if zone is None:
        return local.replace(tzinfo=UTC), local.isoformat()
    aware = local.replace(tzinfo=zone)
    return aware, aware.isoformat()


def _exif_offset(offset: str) -> timezone | None:
    """Parse an EXIF offset tag such as ``+02:00``, or return None when it is missing or invalid."""
    if len(offset) != 6 or offset[0] not in "+-" or offset[3] != ":":
        return None
    try:
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    except ValueError:
        return None
    return timezone(delta if offset[0] == "+" else -delta)


def _json_value(value: Any) -> Any:
    """Return ``value`` as a JSON-safe value, or None for long binary data."""
    result: Any = str(value)
    if isinstance(value, TiffImagePlugin.IFDRational):
        result = float(value) if value.denominator else None
    elif isinstance(value, bytes):
        result = value.decode("latin-1").strip("\x00 ") if len(value) <= _MAX_EXIF_BYTES else None
    elif isinstance(value, str):
        result = value.strip("\x00 ")
    elif isinstance(value, tuple | list):
        result = [_json_value(item) for item in value]
    elif isinstance(value, int | float):
        result = value
    return result

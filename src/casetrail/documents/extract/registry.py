"""Map detected media types to extractors.

``EXTRACTORS`` is keyed by the media type that ``detect_media_type`` returns (libmagic's
result, refined by content as ``detect.py`` describes). A type missing from the map has no extractor.

Keys that extractors put in ``Extraction.meta``:

- ``encoding``: text encoding used to decode a text, CSV or HTML file.
- ``pdf``: ``{"page_count", "producer", "creator", "subject", "keywords", "ocr_pages",
  "ocr_skipped_pages", "unreadable_pages", "encrypted"}``. The three ``*_pages`` keys list
  1-based page numbers.
- ``office``: core properties of DOCX/XLSX/PPTX/ODT and document properties of DOC/XLS/PPT
  (``title``, ``author``, ``created``, ``modified``, ``last_modified_by``, ``subject``), each
  present only when the file sets it.
- ``image``: ``{"format", "width", "height", "frames", "mode"}``.
- ``exif``: EXIF tags by name, values as strings or numbers.
- ``gps``: ``{"lat", "lon"}`` in decimal degrees (south and west negative), plus ``"alt"``
  in metres when recorded.
- ``captured_at``: ISO 8601 capture time from EXIF, with an offset only when EXIF stores one
  (otherwise it is the camera's local time).
- ``email``: ``{"from", "to", "cc", "bcc", "subject", "date", "message_id", "in_reply_to"}``;
  address fields are lists of strings, ``date`` is ISO 8601.
- ``mailbox``: ``{"messages": int, "format": "mbox" | "pst"}``.
- ``archive``: ``{"format", "members", "unpacked_bytes"}``.
- ``media``: ``{"duration_s", "format", "bit_rate", "creation_time", "streams", "tags",
  "thumbnails"}``. Each stream is ``{"type", "codec", ...}`` and each thumbnail
  ``{"page_no", "time_s"}``. Thumbnails are returned as pages with an empty text and the
  keyframe as ``image_png``.
- ``html``: ``{"meta": {name: content}}`` from the ``<meta>`` tags.
- ``ole_package``: ``{"label", "source_path"}`` of a file embedded as an OLE Package object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from casetrail.core.logging import get_logger
from casetrail.documents.extract import (
    archives,
    detect,
    html,
    images,
    legacy_office,
    mail,
    media,
    odt,
    office,
    ole_package,
    outlook,
    pdf,
    rtf,
    text,
)
from casetrail.documents.extract.base import Extraction, ExtractionFailed, Limits

Extractor = Callable[[Path, Limits, Path], Extraction]

_BY_MEDIA_TYPE: dict[str, Extractor] = {
    "text/plain": text.extract_text,
    "text/csv": text.extract_csv,
    "text/calendar": text.extract_text,
    "text/xml": text.extract_xml,
    "application/xml": text.extract_xml,
    "text/html": html.extract_html,
    "application/xhtml+xml": html.extract_html,
    "text/rtf": rtf.extract_rtf,
    "application/rtf": rtf.extract_rtf,
    "application/pdf": pdf.extract_pdf,
    "image/jpeg": images.extract_image,
    "image/png": images.extract_image,
    "image/tiff": images.extract_image,
    "image/heic": images.extract_image,
    "image/heif": images.extract_image,
    "image/webp": images.extract_image,
    "image/gif": images.extract_image,
    "image/bmp": images.extract_image,
    detect.DOCX: office.extract_docx,
    detect.XLSX: office.extract_xlsx,
    detect.PPTX: office.extract_pptx,
    detect.ODT: odt.extract_odt,
    "application/vnd.oasis.opendocument.spreadsheet": odt.extract_odt,
    "application/vnd.oasis.opendocument.presentation": odt.extract_odt,
    detect.ENCRYPTED_OFFICE: office.extract_encrypted_office,
    detect.DOC: legacy_office.extract_doc,
    detect.XLS: legacy_office.extract_xls,
    detect.PPT: legacy_office.extract_ppt,
    detect.OLE_PACKAGE: ole_package.extract_ole_package,
    detect.EML: mail.extract_eml,
    detect.MBOX: mail.extract_mbox,
    detect.MSG: outlook.extract_msg_file,
    detect.PST: outlook.extract_pst,
    "application/zip": archives.extract_zip,
    "application/x-7z-compressed": archives.extract_7z,
    "application/x-tar": archives.extract_tar,
    "application/gzip": archives.extract_gzip,
    "application/x-gzip": archives.extract_gzip,
    "application/x-bzip2": archives.extract_bzip2,
    "application/x-xz": archives.extract_xz,
    **dict.fromkeys(
        (
            "video/mp4",
            "video/quicktime",
            "video/x-msvideo",
            "video/x-matroska",
            "video/webm",
            "video/mpeg",
            "video/3gpp",
            "video/x-ms-asf",
            "video/x-flv",
            "audio/mpeg",
            "audio/x-wav",
            "audio/wav",
            "audio/x-m4a",
            "audio/mp4",
            "audio/ogg",
            "audio/flac",
            "audio/x-flac",
            "audio/aac",
            "audio/x-hx-aac-adts",
            "audio/amr",
            "audio/webm",
            "audio/x-aiff",
        ),
        media.extract_media,
    ),
}

log = get_logger(__name__)


def guarded(extractor: Extractor) -> Extractor:
    """Wrap ``extractor`` so that any error it lets escape becomes ``ExtractionFailed``.

    Extractors catch the errors their libraries document. This is the net for the rest (a
    library bug on a crafted file), so that one bad file fails alone and reports why.
    """

    @functools.wraps(extractor)
    def run(path: Path, limits: Limits, workdir: Path) -> Extraction:
        try:
            return extractor(path, limits, workdir)
        except ExtractionFailed:
            raise
        except Exception as exc:
            # The message is not logged because it can quote the file's content.
            log.warning(
                "extractor_failed_unexpectedly", extractor=extractor.__name__, error=type(exc).__name__
            )
            raise ExtractionFailed(
                f"The file could not be read: {extractor.__name__} failed with {type(exc).__name__}. "
                "Report the file to an administrator."
            ) from exc

    return run


EXTRACTORS: dict[str, Extractor] = {
    media_type: guarded(function) for media_type, function in _BY_MEDIA_TYPE.items()
}


def detect_media_type(path: Path) -> str:
    """Return the media type of the file at ``path`` by content (``detect.detect_media_type``).

    A type that no extractor reads becomes ``text/plain`` when the bytes are text, so that text
    under an exotic name is still read and searchable.
    """
    media_type = detect.detect_media_type(path)
    if media_type not in EXTRACTORS and detect.looks_like_text(path):
        return "text/plain"
    return media_type


__all__ = ["EXTRACTORS", "Extractor", "detect_media_type", "guarded"]

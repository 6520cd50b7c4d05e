"""Which extractor reads which media type, and content-based type detection.

The extractor modules under ``casetrail.documents.extract`` publish their map in
``extract.registry``. If that map cannot be imported (a module missing on this installation),
ingestion still runs: detection falls back to the blob store's signature check and every type
fails with "no extractor" until the map loads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from casetrail.blobs.media import detect_media_type as detect_from_head
from casetrail.core.logging import get_logger
from casetrail.documents.extract.base import Extraction, ExtractionFailed, Limits

log = get_logger(__name__)

Extractor = Callable[[Path, Limits, Path], Extraction]
_HEAD_BYTES = 8192


def _registry() -> tuple[Mapping[str, Extractor], Callable[[Path], str] | None]:
    try:
        from casetrail.documents.extract.registry import (  # noqa: PLC0415 - optional at import time
            EXTRACTORS,
            detect_media_type,
        )
    except ImportError as error:
        log.error("extractor_registry_unavailable", error=str(error))
        return {}, None
    return EXTRACTORS, detect_media_type


def sniff_media_type(path: Path) -> str:
    """Return the media type of the file at ``path`` from its content, never its name."""
    _, detect = _registry()
    if detect is not None:
        return detect(path)
    with path.open("rb") as handle:
        return detect_from_head(handle.read(_HEAD_BYTES))


def extractor_for(media_type: str) -> Extractor:
    """Return the extractor for ``media_type``; raise ``ExtractionFailed`` when there is none."""
    extractors, _ = _registry()
    extractor = extractors.get(media_type)
    if extractor is None:
        raise ExtractionFailed(
            f"no extractor for {media_type or 'unknown type'}: the file is stored and can be "
            "downloaded, but its text cannot be read"
        )
    return extractor


def supported_media_types() -> list[str]:
    extractors, _ = _registry()
    return sorted(extractors)

"""Capture times without a time zone.

EXIF stores when a photo was taken in the camera's local time, and only some cameras add the
offset (``OffsetTimeOriginal``). The image extractor keeps the time as written in
``meta["captured_at"]`` (ISO 8601, with an offset only when EXIF has one) and, because
``document_date`` must carry a zone, stores the same clock time there marked as UTC. That UTC
mark is not a fact, so displays use the local text for such documents and never convert it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def unzoned_capture_time(meta: dict[str, Any] | None) -> datetime | None:
    """Return the capture time of ``meta`` when it has no time zone, as a naive local time.

    Returns None when there is no capture time, when it is not valid ISO 8601, or when it
    carries an offset (such a time converts to UTC correctly and needs no special display).
    """
    text = (meta or {}).get("captured_at")
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is None else None


def format_local_time(value: datetime) -> str:
    """Format a camera's local time to the second, e.g. ``2009-08-11 09:09:45 (time zone unknown)``."""
    return f"{value:%Y-%m-%d %H:%M:%S} (time zone unknown)"

"""Audio and video: duration, container, codecs, creation time and keyframe thumbnails.

Metadata comes from ``ffprobe`` JSON output and thumbnails from ``ffmpeg`` (both from the
Debian ffmpeg package, run without a shell and with ``Limits.tool_timeout_s``). Up to
``THUMBNAILS`` keyframes, spread evenly over the duration and at most 640 pixels wide, are
returned as pages with an empty text and the frame as ``image_png``. ``meta["media"]
["thumbnails"]`` gives the time of each. Audio files have no pages. A file in which ffprobe
finds no audio or video stream is rejected as truncated or damaged.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import magic

from casetrail.documents.extract._common import check_input, run_tool
from casetrail.documents.extract.base import ExtractedPage, Extraction, ExtractionFailed, Limits

THUMBNAILS = 3
THUMBNAIL_MAX_WIDTH_PX = 640
_STREAM_FIELDS = ("codec_long_name", "profile", "width", "height", "sample_rate", "channels", "bit_rate")
# MP4 and QuickTime store 0 (1904 or 1970 epoch, depending on the tool) when no time was set.
_UNSET_YEARS = (1904, 1970)


def extract_media(path: Path, limits: Limits, workdir: Path) -> Extraction:
    check_input(path, limits)
    probe = probe_media(path, limits)
    container = probe.get("format", {})
    streams = [_stream_summary(stream) for stream in probe.get("streams", [])]
    playable = [s for s in streams if s["type"] in ("audio", "video") and not s.get("attached_picture")]
    if not playable:
        raise ExtractionFailed("The file contains no audio or video stream, so it is truncated or damaged.")
    duration = _number(container.get("duration"))
    tags = {str(k).lower(): str(v) for k, v in container.get("tags", {}).items()}
    created = _creation_time(tags.get("creation_time", ""))
    has_video = any(s["type"] == "video" for s in playable)
    pages, thumbnails = _thumbnails(path, duration, limits) if has_video else ([], [])
    media = {
        "duration_s": duration,
        "format": container.get("format_name", ""),
        "bit_rate": _number(container.get("bit_rate")),
        "creation_time": created.isoformat() if created else "",
        "streams": streams,
        "tags": tags,
        "thumbnails": thumbnails,
    }
    return Extraction(
        media_type=magic.from_file(str(path), mime=True),
        title=tags.get("title", ""),
        author=tags.get("artist", "") or tags.get("author", ""),
        document_date=created,
        pages=pages,
        meta={"media": media},
    )


def probe_media(path: Path, limits: Limits) -> dict[str, Any]:
    output = run_tool(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        limits,
    )
    try:
        parsed: dict[str, Any] = json.loads(output)
    except ValueError as exc:
        raise ExtractionFailed(
            "ffprobe returned output that is not JSON, so the file cannot be analysed."
        ) from exc
    return parsed


def _stream_summary(stream: dict[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = {"type": stream.get("codec_type", ""), "codec": stream.get("codec_name", "")}
    for field in _STREAM_FIELDS:
        if field in stream:
            summary[field] = stream[field]
    if stream.get("disposition", {}).get("attached_pic"):
        summary["attached_picture"] = True
    duration = _number(stream.get("duration"))
    if duration is not None:
        summary["duration_s"] = duration
    return summary


def _thumbnails(
    path: Path, duration: float | None, limits: Limits
) -> tuple[list[ExtractedPage], list[dict[str, Any]]]:
    times = [duration * index / THUMBNAILS for index in range(THUMBNAILS)] if duration else [0.0]
    pages: list[ExtractedPage] = []
    thumbnails: list[dict[str, Any]] = []
    seen: set[bytes] = set()
    for time_s in times:
        try:
            png = _keyframe_png(path, time_s, limits)
        except ExtractionFailed:
            # The metadata is still worth keeping when ffmpeg cannot decode a frame.
            continue
        if not png or png in seen:
            continue
        seen.add(png)
        pages.append(ExtractedPage(len(pages) + 1, "", image_png=png))
        thumbnails.append({"page_no": len(pages), "time_s": round(time_s, 3)})
    return pages, thumbnails


def _keyframe_png(path: Path, time_s: float, limits: Limits) -> bytes:
    """Return the first keyframe at or before ``time_s`` as PNG, or empty bytes when there is none."""
    args = [
        "ffmpeg", "-v", "error", "-nostdin",
        "-skip_frame", "nokey", "-noaccurate_seek", "-ss", f"{time_s:.3f}", "-i", str(path),
        "-map", "0:v:0", "-frames:v", "1",
        "-vf", f"scale='min({THUMBNAIL_MAX_WIDTH_PX},iw)':-2",
        "-f", "image2pipe", "-c:v", "png", "pipe:1",
    ]  # fmt: skip
    return run_tool(args, limits)


def _creation_time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None or parsed.year in _UNSET_YEARS:
        return None
    return parsed


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "", "N/A") else None
    except (TypeError, ValueError):
        return None

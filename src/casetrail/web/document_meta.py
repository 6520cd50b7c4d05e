"""Metadata read from a file, shaped for display as nested definition lists.

Extractors store metadata as nested JSON: ``meta["media"]["streams"]`` is a list of stream
objects from ffprobe, ``meta["exif"]`` the EXIF tags by name. Each key becomes a label and each
value a text, with its unit where the key names one. ffprobe reports ``bit_rate`` in bit/s
(shown in kbit/s) and ``sample_rate`` in Hz. Extractors end the names of times in seconds with
``_s``. EXIF gives ``ExposureTime`` in seconds and ``FocalLength`` in millimetres.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

# Keys whose numbers are pixels: image and stream sizes, and EXIF image sizes.
_PIXEL_KEYS = frozenset(
    {
        "width",
        "height",
        "coded_width",
        "coded_height",
        "ExifImageWidth",
        "ExifImageHeight",
        "ImageWidth",
        "ImageLength",
    }
)
_SECOND_KEYS = frozenset({"duration", "start_time", "ExposureTime"})
_DEGREE_KEYS = frozenset({"lat", "lon"})


@dataclass(frozen=True)
class MetaEntry:
    """One label of the metadata list, with either a text or nested entries."""

    label: str
    text: str = ""
    children: list[MetaEntry] = field(default_factory=list)


def meta_entries(meta: dict[str, Any]) -> list[MetaEntry]:
    """Turn nested metadata into entries, leaving out empty values."""
    entries: list[MetaEntry] = []
    for key, value in meta.items():
        if _is_empty(value):
            continue
        entries.append(_entry(str(key), value))
    return entries


def _entry(key: str, value: Any) -> MetaEntry:
    label = _label(key)
    if isinstance(value, dict):
        return MetaEntry(label, children=meta_entries(value))
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        return MetaEntry(label, children=_list_entries(key, value))
    if isinstance(value, list):
        return MetaEntry(label, ", ".join(_plain(item) for item in value))
    return MetaEntry(label, with_unit(key, value))


def _list_entries(key: str, items: list[Any]) -> list[MetaEntry]:
    """Entries of a list of objects, labelled ``stream 1 (video)``, ``stream 2 (audio)`` and so on."""
    singular = _label(key).removesuffix("s")
    entries: list[MetaEntry] = []
    for index, item in enumerate(items, start=1):
        label = f"{singular} {index}"
        if isinstance(item, dict):
            kind = item.get("type")
            if isinstance(kind, str) and kind:
                label += f" ({kind})"
            entries.append(MetaEntry(label, children=meta_entries(item)))
        else:
            entries.append(MetaEntry(label, _plain(item)))
    return entries


def _label(key: str) -> str:
    """Return a label for ``key``: snake_case becomes words, EXIF tag names stay as they are."""
    return key.removesuffix("_s").replace("_", " ")


def _is_empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def with_unit(key: str, value: Any) -> str:
    """Format a metadata value with the unit that ``key`` names. Other values stay plain."""
    number = _number(value)
    if number is None or isinstance(value, bool):
        return _plain(value)
    formatter = _UNIT_FORMATTERS.get(key) or _suffix_formatter(key)
    return formatter(number) if formatter is not None else _plain(value)


def _suffix_formatter(key: str) -> Callable[[float], str] | None:
    if key.endswith("_s") or key in _SECOND_KEYS:
        return _seconds
    if key in _PIXEL_KEYS:
        return lambda number: f"{_plain(number)} pixels"
    if key in _DEGREE_KEYS:
        return lambda number: f"{_plain(number)}°"
    return None


def _seconds(number: float) -> str:
    # Exposure times below one second read as photographers write them, e.g. 1/1600 s.
    if 0 < number < 1:
        fraction = Fraction(number).limit_denominator(100_000)
        if fraction.numerator == 1:
            return f"1/{fraction.denominator} s"
    return f"{_plain(number)} s"


def _kilobits(number: float) -> str:
    return f"{_plain(number / 1000)} kbit/s"


_UNIT_FORMATTERS: dict[str, Callable[[float], str]] = {
    "bit_rate": _kilobits,
    "max_bit_rate": _kilobits,
    "sample_rate": lambda number: f"{_plain(number)} Hz",
    "FocalLength": lambda number: f"{_plain(number)} mm",
}


def _number(value: Any) -> float | None:
    """Return ``value`` as a number, because ffprobe gives many numbers as strings (``"44100"``)."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # Whole numbers lose their ".0". Six decimals keep GPS degrees to about 0.1 m.
        return str(int(value)) if value.is_integer() else str(round(value, 6))
    return str(value)

"""Reading the evidence forms: times with a UTC offset, handover statements, optional fields.

An ``<input type=datetime-local>`` sends a wall-clock time without a zone (``2026-03-14T06:30``),
and the custody log stores aware UTC times. Every time field therefore comes with a UTC offset
field (``+01:00``). The page script fills the offset in from the browser's time zone for the
entered date. Without the script the user types it, and the form starts at ``+00:00``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import Form

from casetrail.core.errors import ValidationFailed
from casetrail.evidence.events import Handover

_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_MAX_OFFSET_MINUTES = 14 * 60


def utc_offset(value: str, field: str) -> str:
    """Return ``value`` as ``+HH:MM``. An empty field, ``Z`` or ``UTC`` means ``+00:00``."""
    text = value.strip()
    if text.upper() in ("", "Z", "UTC"):
        return "+00:00"
    match = _OFFSET.match(text)
    if match is None or int(match.group(2)) * 60 + int(match.group(3)) > _MAX_OFFSET_MINUTES:
        raise ValidationFailed(
            f"invalid UTC offset {text[:20]!r}: use the form +01:00 or -05:00",
            {field: "not a UTC offset (+HH:MM, at most 14 hours)"},
        )
    return f"{match.group(1)}{match.group(2)}:{match.group(3)}"


def optional_time(value: str, offset: str, field: str) -> datetime | None:
    """Parse a datetime-local value and its UTC offset. An empty time field returns None."""
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is not None:
        raise ValidationFailed(
            f"invalid date and time {text[:40]!r}: use the form 2026-03-14T06:30",
            {field: "not a date and time (YYYY-MM-DDTHH:MM)"},
        )
    return datetime.fromisoformat(f"{parsed.isoformat()}{utc_offset(offset, field + '_offset')}")


def required_time(value: str, offset: str, field: str) -> datetime:
    parsed = optional_time(value, offset, field)
    if parsed is None:
        raise ValidationFailed(
            f"{field.replace('_', ' ')} is missing", {field: "missing: give a date and time"}
        )
    return parsed


def optional_text(value: str) -> str | None:
    """Return the stripped text, or None for an empty field, which the services read as "not given"."""
    text = value.strip()
    return text or None


def handover_form(
    *,
    occurred_at: Annotated[str, Form()] = "",
    occurred_at_offset: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    seal_number: Annotated[str, Form()] = "",
    condition: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Handover:
    """Read the statements of a custody step. An empty time means now, an empty seal the current one."""
    return Handover(
        occurred_at=optional_time(occurred_at, occurred_at_offset, "occurred_at"),
        location=location,
        seal_number=optional_text(seal_number),
        condition=condition,
        notes=notes,
    )

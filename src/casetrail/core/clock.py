"""Time. Every stored timestamp is timezone-aware UTC with microsecond precision."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)

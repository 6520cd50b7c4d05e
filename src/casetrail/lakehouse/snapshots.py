"""Time travel: which snapshot of each table a query reads.

``--snapshot ID`` names a snapshot of one table; the other tables of the query are read as
they were at that snapshot's commit time. ``--as-of TIMESTAMP`` reads every table as its
newest snapshot at or before that moment, which is what the record showed then. A table that
had no snapshot yet reads as empty.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from pyiceberg.table import Table

from casetrail.core.errors import ValidationFailed


@dataclass(frozen=True)
class ReadPoint:
    """A table to read, its metadata file, and the snapshot to read (None: the table was empty)."""

    table: Table
    snapshot_id: int | None


def _millis(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValidationFailed(
            f"the time {moment.isoformat()} has no time zone: add one, e.g. 2026-03-01T12:00:00+00:00",
            {"as_of": "no time zone"},
        )
    return int(moment.timestamp() * 1000)


def resolve_read_points(
    tables: dict[str, Table], *, as_of: datetime | None, snapshot_id: int | None
) -> dict[str, ReadPoint]:
    """Choose the snapshot of each table in ``tables`` for one query."""
    if as_of is not None and snapshot_id is not None:
        raise ValidationFailed(
            "give either a time or a snapshot id, not both", {"snapshot": "conflicts with as_of"}
        )
    owner: str | None = None
    if snapshot_id is not None:
        owner, as_of = _snapshot_owner(tables, snapshot_id)
    points: dict[str, ReadPoint] = {}
    for name, table in tables.items():
        if name == owner:
            points[name] = ReadPoint(table, snapshot_id)
        elif as_of is not None:
            snapshot = table.snapshot_as_of_timestamp(_millis(as_of))
            points[name] = ReadPoint(table, snapshot.snapshot_id if snapshot else None)
        else:
            current = table.current_snapshot()
            points[name] = ReadPoint(table, current.snapshot_id if current else None)
    return points


def _snapshot_owner(tables: dict[str, Table], snapshot_id: int) -> tuple[str, datetime]:
    for name, table in tables.items():
        snapshot = table.snapshot_by_id(snapshot_id)
        if snapshot is not None:
            return name, datetime.fromtimestamp(snapshot.timestamp_ms / 1000, UTC)
    raise ValidationFailed(
        f"snapshot {snapshot_id} is not a snapshot of the tables this query reads "
        f"({', '.join(sorted(tables))}); `casetrail lakehouse snapshots TABLE` lists them",
        {"snapshot": "not found"},
    )


def snapshot_ids(points: Collection[ReadPoint]) -> list[int | None]:
    return [point.snapshot_id for point in points]

"""Housekeeping of the tables: expire old snapshots and remove orphan files.

``casetrail lakehouse maintain`` runs both under the writer lock. Files younger than the grace
period are kept, so a writer that does not take the lock (another engine writing to the same
warehouse) never loses files it has written but not yet committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from pyiceberg.table import Table

from casetrail.core.clock import utcnow
from casetrail.core.logging import get_logger
from casetrail.lakehouse.files import delete_files, orphan_files
from casetrail.lakehouse.registry import TABLES
from casetrail.lakehouse.runtime import Lakehouse
from casetrail.lakehouse.tables import load_table

log = get_logger(__name__)


@dataclass
class MaintenanceReport:
    expired_snapshots: dict[str, list[int]] = field(default_factory=dict)
    deleted_files: dict[str, int] = field(default_factory=dict)


def expire_snapshots_before(table: Table, keep_after_ms: int | None) -> list[int]:
    """Expire every snapshot older than ``keep_after_ms`` (all but the current one when None)."""
    current = table.current_snapshot()
    if current is None:
        return []
    expired = [
        snapshot.snapshot_id
        for snapshot in table.snapshots()
        if snapshot.snapshot_id != current.snapshot_id
        and (keep_after_ms is None or snapshot.timestamp_ms < keep_after_ms)
    ]
    if expired:
        table.maintenance.expire_snapshots().by_ids(expired).commit()
    return expired


def remove_table_orphans(table: Table, name: str, grace_minutes: int) -> int:
    older_than = utcnow() - timedelta(minutes=grace_minutes) if grace_minutes else None
    orphans = orphan_files(table, older_than=older_than)
    delete_files(table, orphans)
    if orphans:
        log.info("lakehouse_orphans_removed", table=name, files=len(orphans))
    return len(orphans)


def remove_orphans(lake: Lakehouse, *, grace_minutes: int) -> dict[str, int]:
    """Remove orphan files of every table; return the count per table that had any."""
    removed: dict[str, int] = {}
    with lake.writer_lock():
        for spec in TABLES:
            table = load_table(lake.catalog, lake.config, spec)
            if table is None:
                continue
            count = remove_table_orphans(table, spec.name, grace_minutes)
            if count:
                removed[spec.name] = count
    return removed


def maintain(lake: Lakehouse) -> MaintenanceReport:
    """Expire snapshots beyond the retention setting, then remove orphans past the grace period."""
    settings = lake.settings.lakehouse
    report = MaintenanceReport()
    with lake.writer_lock():
        for spec in TABLES:
            table = load_table(lake.catalog, lake.config, spec)
            if table is None:
                continue
            if settings.snapshot_retention_days is not None:
                cutoff = utcnow() - timedelta(days=settings.snapshot_retention_days)
                expired = expire_snapshots_before(table, int(cutoff.timestamp() * 1000))
                if expired:
                    report.expired_snapshots[spec.name] = expired
            count = remove_table_orphans(table, spec.name, settings.orphan_grace_minutes)
            if count:
                report.deleted_files[spec.name] = count
    log.info(
        "lakehouse_maintenance_done",
        expired_snapshots=sum(len(ids) for ids in report.expired_snapshots.values()),
        deleted_files=sum(report.deleted_files.values()),
    )
    return report

"""Rebuilding every table from the store, and reporting how far the sync is behind.

A rebuild reads the ledger head first and records its sequence numbers in the new snapshots
and the cursors. Rows that change while the rebuild reads them have outbox events after that
head, so the next sync re-reads them; replacing rows by key makes that harmless.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pyiceberg.expressions import AlwaysTrue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casetrail.audit.models import AuditRecord
from casetrail.core.clock import utcnow
from casetrail.core.logging import get_logger
from casetrail.db.engine import transaction
from casetrail.db.ledger import LedgerHead
from casetrail.db.outbox import OutboxCursor, OutboxEvent, advance_cursor, get_cursor
from casetrail.lakehouse.files import delete_location
from casetrail.lakehouse.loading import stream_rows
from casetrail.lakehouse.registry import TABLES, spec_named
from casetrail.lakehouse.runtime import Lakehouse
from casetrail.lakehouse.spec import Stream, TableSpec
from casetrail.lakehouse.sync import AUDIT_CONSUMER, OUTBOX_CONSUMER
from casetrail.lakehouse.tables import SEQ_PROPERTY, TableState, ensure_table, load_table, table_state
from casetrail.lakehouse.writer import to_arrow

log = get_logger(__name__)

REBUILD_CHUNK_ROWS = 50_000

Progress = Callable[[str, int], None]
"""Called with a table name and the rows written to it so far."""


@dataclass
class RebuildReport:
    outbox_seq: int
    audit_seq: int
    rows: dict[str, int] = field(default_factory=dict)
    deleted_files: int = 0


def _heads(lake: Lakehouse) -> tuple[int, int]:
    with transaction(lake.factory) as session:
        return _read_heads(session)


def _read_heads(session: Session) -> tuple[int, int]:
    head = session.get(LedgerHead, 1)
    if head is None:
        raise RuntimeError("ledger_head row is missing: run `casetrail init` to migrate the database")
    return head.outbox_seq, head.audit_seq


def rebuild(lake: Lakehouse, *, recreate: bool = False, progress: Progress | None = None) -> RebuildReport:
    """Replace every table's contents with the store's current rows.

    Without ``recreate`` each table gets one new snapshot and keeps its history for time
    travel. With it, tables are dropped with their files and created anew from the current
    specs: use that after changing a table's partitioning, at the cost of the history.
    """
    with lake.writer_lock():
        outbox_seq, audit_seq = _heads(lake)
        report = RebuildReport(outbox_seq=outbox_seq, audit_seq=audit_seq)
        log.info("lakehouse_rebuild_started", outbox_seq=outbox_seq, audit_seq=audit_seq, recreate=recreate)
        for spec in TABLES:
            if recreate:
                report.deleted_files += _drop(lake, spec)
            seq = audit_seq if spec.stream == Stream.AUDIT else outbox_seq
            report.rows[spec.name] = _refill(lake, spec, seq, progress)
        with transaction(lake.factory) as session:
            for consumer, seq in ((OUTBOX_CONSUMER, outbox_seq), (AUDIT_CONSUMER, audit_seq)):
                if get_cursor(session, consumer) < seq:
                    advance_cursor(session, consumer, seq)
    log.info("lakehouse_rebuild_done", rows=report.rows)
    return report


def _drop(lake: Lakehouse, spec: TableSpec) -> int:
    table = load_table(lake.catalog, lake.config, spec)
    if table is None:
        return 0
    lake.catalog.drop_table(lake.config.qualified(spec.name))
    return delete_location(table)


def _refill(lake: Lakehouse, spec: TableSpec, seq: int, progress: Progress | None) -> int:
    table = ensure_table(lake.catalog, lake.config, spec)
    properties = {SEQ_PROPERTY: str(seq)}
    transaction = table.transaction()
    if table.current_snapshot() is not None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Delete operation did not match any records")
            transaction.delete(AlwaysTrue(), snapshot_properties=properties)
    written = 0
    at_most = ("seq", seq) if spec.stream == Stream.AUDIT else None
    for chunk in stream_rows(lake.factory, spec, chunk_size=REBUILD_CHUNK_ROWS, at_most=at_most):
        transaction.append(to_arrow(table, chunk), snapshot_properties=properties)
        written += len(chunk)
        if progress is not None:
            progress(spec.name, written)
    if written == 0:
        # An empty append still records the sequence number, so the next sync skips to it.
        with transaction.update_snapshot(snapshot_properties=properties).fast_append():
            pass
    transaction.commit_transaction()
    return written


@dataclass(frozen=True)
class StreamLag:
    consumer: str
    cursor: int
    head: int
    oldest_pending_at: datetime | None

    @property
    def behind(self) -> int:
        return max(self.head - self.cursor, 0)

    @property
    def oldest_pending_age_seconds(self) -> float | None:
        if self.oldest_pending_at is None:
            return None
        return (utcnow() - self.oldest_pending_at).total_seconds()


@dataclass(frozen=True)
class LakehouseStatus:
    outbox: StreamLag
    audit: StreamLag
    tables: list[TableState]


def status(lake: Lakehouse) -> LakehouseStatus:
    """Report lag behind the outbox and the audit trail, and the last commit of each table."""
    with transaction(lake.factory) as session:
        cursors: dict[str, int] = {
            row[0]: row[1] for row in session.execute(select(OutboxCursor.consumer, OutboxCursor.last_seq))
        }
        outbox_cursor = cursors.get(OUTBOX_CONSUMER, 0)
        audit_cursor = cursors.get(AUDIT_CONSUMER, 0)
        outbox_head, audit_head = _read_heads(session)
        oldest_event = session.execute(
            select(func.min(OutboxEvent.created_at)).where(OutboxEvent.seq > outbox_cursor)
        ).scalar()
        oldest_record = session.execute(
            select(func.min(AuditRecord.at)).where(AuditRecord.seq > audit_cursor)
        ).scalar()
    return LakehouseStatus(
        outbox=StreamLag(OUTBOX_CONSUMER, outbox_cursor, outbox_head, oldest_event),
        audit=StreamLag(AUDIT_CONSUMER, audit_cursor, audit_head, oldest_record),
        tables=[table_state(lake.catalog, lake.config, spec) for spec in TABLES],
    )


def snapshots(lake: Lakehouse, name: str) -> list[dict[str, Any]]:
    """List the snapshots of one table, oldest first, with the sequence number each applied."""
    table = load_table(lake.catalog, lake.config, spec_named(name))
    if table is None:
        return []
    items = []
    for entry in table.metadata.snapshot_log:
        snapshot = table.snapshot_by_id(entry.snapshot_id)
        if snapshot is None:
            continue
        summary = snapshot.summary.additional_properties if snapshot.summary else {}
        items.append(
            {
                "snapshot_id": snapshot.snapshot_id,
                "committed_at": datetime.fromtimestamp(snapshot.timestamp_ms / 1000, UTC).isoformat(),
                "operation": str(snapshot.summary.operation.value) if snapshot.summary else "",
                "applied_seq": summary.get(SEQ_PROPERTY),
                "records": summary.get("total-records"),
            }
        )
    return items

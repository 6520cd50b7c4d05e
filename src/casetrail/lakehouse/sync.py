"""Shipping the store's changes to Iceberg: outbox events in batches, and the audit trail.

One batch: read the events after the cursor, re-read the current rows their ids name, replace
those rows in each table (delete by key, append) in one Iceberg commit per table whose
snapshot summary records the batch's last sequence number, then advance the cursor.

Crash safety, by the point where the process dies:

- after writing data files, before the catalog commit: the table is unchanged and the files
  are orphans (``maintenance`` removes them); the batch is applied again on restart.
- after the Iceberg commit, before the cursor commit: on restart the cursor is behind, but
  each table's recorded sequence number shows the events it already holds, and those are
  skipped. Replacing rows by key would not duplicate them anyway; the skip saves the work
  and a redundant snapshot.

The audit table follows the audit trail's own gap-free sequence with a cursor of its own; it
is append-only, so its recorded sequence number is what prevents duplicates.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from pyiceberg.expressions import AlwaysFalse
from sqlalchemy import select

from casetrail.core.logging import get_logger
from casetrail.db.engine import transaction
from casetrail.db.outbox import OutboxEvent, advance_cursor, get_cursor, read_events
from casetrail.lakehouse.loading import load_rows
from casetrail.lakehouse.registry import TABLES, outbox_tables
from casetrail.lakehouse.runtime import Lakehouse
from casetrail.lakehouse.spec import Selection, TableSpec, compact, iceberg_filter
from casetrail.lakehouse.specs_audit import AUDIT
from casetrail.lakehouse.tables import applied_seq, ensure_table
from casetrail.lakehouse.writer import NO_HOOKS, SyncHooks, replace_rows, to_arrow

log = get_logger(__name__)

OUTBOX_CONSUMER = "lakehouse"
AUDIT_CONSUMER = "lakehouse.audit"
MAX_RETRY_SECONDS = 60.0


@dataclass
class BatchReport:
    stream: str
    first_seq: int
    last_seq: int
    events: int
    rows: dict[str, int] = field(default_factory=dict)
    """Rows written per table; a table missing here was already up to date or untouched."""


def apply_outbox_batch(lake: Lakehouse, hooks: SyncHooks = NO_HOOKS) -> BatchReport | None:
    """Apply the next batch of outbox events; return None when there is none."""
    with lake.writer_lock():
        with transaction(lake.factory) as session:
            cursor = get_cursor(session, OUTBOX_CONSUMER)
            events = read_events(session, cursor, limit=lake.settings.lakehouse.batch_size)
        if not events:
            return None
        report = BatchReport("outbox", events[0].seq, events[-1].seq, len(events))
        for spec in outbox_tables():
            written = _apply_to_table(lake, spec, events, report.last_seq, hooks)
            if written is not None:
                report.rows[spec.name] = written
        if hooks.before_cursor_commit is not None:
            hooks.before_cursor_commit(OUTBOX_CONSUMER)
        with transaction(lake.factory) as session:
            advance_cursor(session, OUTBOX_CONSUMER, report.last_seq)
    log.info(
        "lakehouse_batch_applied",
        stream=report.stream,
        first_seq=report.first_seq,
        last_seq=report.last_seq,
        events=report.events,
        rows=report.rows,
    )
    return report


def _apply_to_table(
    lake: Lakehouse, spec: TableSpec, events: list[OutboxEvent], last_seq: int, hooks: SyncHooks
) -> int | None:
    relevant = [event for event in events if event.object_type in spec.follows]
    if not relevant:
        return None
    table = ensure_table(lake.catalog, lake.config, spec)
    already = applied_seq(table)
    pending = [event for event in relevant if event.seq > already]
    if not pending:
        log.info("lakehouse_events_skipped", table=spec.name, applied_seq=already, last_seq=last_seq)
        return None
    selections: list[Selection] = [selection for event in pending for selection in spec.refresh(event)]
    rows = load_rows(lake.factory, spec, compact(selections))
    delete_filter = iceberg_filter(compact([*selections, *spec.key_selections(rows)]), spec.case_column)
    replace_rows(
        table,
        spec.name,
        delete_filter=delete_filter,
        rows=to_arrow(table, rows),
        applied_seq=last_seq,
        hooks=hooks,
    )
    return len(rows)


def apply_audit_batch(lake: Lakehouse, hooks: SyncHooks = NO_HOOKS) -> BatchReport | None:
    """Append the next audit records to the audit table; return None when there are none."""
    with lake.writer_lock():
        table = ensure_table(lake.catalog, lake.config, AUDIT)
        with transaction(lake.factory) as session:
            cursor = get_cursor(session, AUDIT_CONSUMER)
        start = max(cursor, applied_seq(table))
        source = AUDIT.source().subquery()
        query = (
            select(source)
            .where(source.c.seq > start)
            .order_by(source.c.seq)
            .limit(lake.settings.lakehouse.batch_size)
        )
        with transaction(lake.factory) as session:
            rows = [dict(row) for row in session.execute(query).mappings()]
        if not rows:
            if start > cursor:
                _advance(lake, AUDIT_CONSUMER, start)
            return None
        report = BatchReport("audit", int(rows[0]["seq"]), int(rows[-1]["seq"]), len(rows))
        replace_rows(
            table,
            AUDIT.name,
            delete_filter=AlwaysFalse(),
            rows=to_arrow(table, rows),
            applied_seq=report.last_seq,
            hooks=hooks,
        )
        report.rows[AUDIT.name] = len(rows)
        if hooks.before_cursor_commit is not None:
            hooks.before_cursor_commit(AUDIT_CONSUMER)
        _advance(lake, AUDIT_CONSUMER, report.last_seq)
    log.info(
        "lakehouse_batch_applied",
        stream=report.stream,
        first_seq=report.first_seq,
        last_seq=report.last_seq,
        events=report.events,
    )
    return report


def _advance(lake: Lakehouse, consumer: str, seq: int) -> None:
    with transaction(lake.factory) as session:
        advance_cursor(session, consumer, seq)


@dataclass
class SyncReport:
    batches: int = 0
    events: int = 0
    audit_records: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, batch: BatchReport) -> None:
        self.batches += 1
        if batch.stream == "audit":
            self.audit_records += batch.events
        else:
            self.events += batch.events
        for name, count in batch.rows.items():
            self.rows[name] = self.rows.get(name, 0) + count


def sync_until_caught_up(
    lake: Lakehouse,
    hooks: SyncHooks = NO_HOOKS,
    on_batch: Callable[[BatchReport], None] | None = None,
) -> SyncReport:
    """Apply batches until neither the outbox nor the audit trail has anything new.

    Creates missing tables and adds new columns first, so every registered table exists
    (empty until a change reaches it) once a sync has run.
    """
    with lake.writer_lock():
        for spec in TABLES:
            ensure_table(lake.catalog, lake.config, spec)
    report = SyncReport()
    while True:
        progressed = False
        for apply in (apply_outbox_batch, apply_audit_batch):
            batch = apply(lake, hooks)
            if batch is not None:
                progressed = True
                report.add(batch)
                if on_batch is not None:
                    on_batch(batch)
        if not progressed:
            return report


def follow(lake: Lakehouse, *, interval_seconds: float, stop: threading.Event) -> SyncReport:
    """Keep the tables in step until ``stop`` is set, retrying with back-off after errors."""
    total = SyncReport()
    failures = 0
    log.info("lakehouse_sync_started", mode="follow", interval_seconds=interval_seconds)
    try:
        while not stop.is_set():
            try:
                sync_until_caught_up(lake, on_batch=total.add)
            except Exception as error:
                failures += 1
                delay = min(interval_seconds * 2**failures, MAX_RETRY_SECONDS)
                log.exception("lakehouse_sync_failed", error=str(error), attempt=failures)
                log.info("lakehouse_sync_retry", attempt=failures + 1, delay_seconds=delay)
                stop.wait(delay)
                continue
            if failures:
                log.info("lakehouse_sync_recovered", failed_attempts=failures)
            failures = 0
            stop.wait(interval_seconds)
    finally:
        log.info("lakehouse_sync_stopped", batches=total.batches, events=total.events)
    return total

"""The search follower: keep the index in step with the store by reading the outbox.

It reads events in order with the cursor ``search``, re-reads every document, note and entity a
batch touches and replaces its entries (``indexer``). Entries and the cursor commit together,
so a crash repeats a batch rather than losing it, and repeating one changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.clock import utcnow
from casetrail.core.logging import get_logger
from casetrail.db.engine import transaction
from casetrail.db.outbox import OutboxEvent, advance_cursor, get_cursor, read_events
from casetrail.search.indexer import Target, index_targets
from casetrail.search.models import EntryKind

log = get_logger(__name__)

CONSUMER = "search"
BATCH_SIZE = 500


@dataclass
class SyncRun:
    """Counts of the work one or more batches did."""

    events: int = 0
    objects: int = 0
    entries: int = 0
    failed: int = 0
    last_seq: int = 0

    def add(self, other: SyncRun) -> None:
        self.events += other.events
        self.objects += other.objects
        self.entries += other.entries
        self.failed += other.failed
        self.last_seq = max(self.last_seq, other.last_seq)


def targets_of(events: list[OutboxEvent]) -> list[Target]:
    """Return the objects the events touch, each once, in event order."""
    found: dict[Target, None] = {}
    for event in events:
        if event.object_type == "document":
            found[Target(EntryKind.DOCUMENT_PAGE, event.object_id)] = None
        elif event.object_type == "note":
            found[Target(EntryKind.NOTE, event.object_id)] = None
        elif event.object_type == "entity" and event.case_id:
            found[Target(EntryKind.ENTITY, event.object_id, event.case_id)] = None
        elif event.object_type == "entity_merge" and event.case_id:
            for name in ("winner_id", "loser_id"):
                entity_id = event.payload.get(name)
                if isinstance(entity_id, str):
                    found[Target(EntryKind.ENTITY, entity_id, event.case_id)] = None
    return list(found)


def sync_batch(session_factory: sessionmaker[Session], limit: int = BATCH_SIZE) -> SyncRun:
    """Apply up to ``limit`` pending events; zero events in the result means caught up."""
    run = SyncRun()
    with transaction(session_factory) as session:
        after = get_cursor(session, CONSUMER)
        events = read_events(session, after, limit)
        if not events:
            return run
        now = utcnow()
        for target in targets_of(events):
            apply_target(session, target, run, now)
        run.events = len(events)
        run.last_seq = events[-1].seq
        advance_cursor(session, CONSUMER, run.last_seq)
    log.info("search_batch_applied", events=run.events, last_seq=run.last_seq, objects=run.objects)
    return run


def sync_until_caught_up(session_factory: sessionmaker[Session], limit: int = BATCH_SIZE) -> SyncRun:
    total = SyncRun()
    while (run := sync_batch(session_factory, limit)).events:
        total.add(run)
    return total


def apply_target(session: Session, target: Target, run: SyncRun, now: datetime) -> None:
    """Index one object inside a savepoint, so that one bad object cannot stall the follower.

    A failure is logged with the ids and the error's type (its message may quote case text);
    the object is indexed again when it next changes, or by ``casetrail search reindex``.
    """
    try:
        with session.begin_nested():
            run.entries += index_targets(session, [target], now)
            run.objects += 1
    except (SQLAlchemyError, ValueError, KeyError, TypeError) as error:
        run.failed += 1
        log.error(
            "search_index_failed",
            kind=target.kind,
            object_id=target.object_id,
            case_id=target.case_id,
            error_type=type(error).__name__,
        )

"""Rebuilding the whole index from the operational tables (``casetrail search reindex``).

The rebuild re-indexes every object in batches, then deletes the entries it did not write (of
objects that no longer exist), so searches keep working while it runs. It reads the outbox
position before it reads any object and moves the ``search`` cursor there at the end: the
follower then re-applies only later events, and applying an event twice is harmless. Every
batch locks the cursor row first, so a rebuild and a follower never index at the same moment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import AuditSource, record
from casetrail.cases.models import Note
from casetrail.core.clock import utcnow
from casetrail.core.logging import get_logger
from casetrail.db.engine import transaction
from casetrail.db.outbox import OutboxEvent, advance_cursor, get_cursor
from casetrail.documents.models import Document
from casetrail.entities.models import CaseEntity
from casetrail.search import vocabulary
from casetrail.search.follower import CONSUMER
from casetrail.search.indexer import INGESTED, Target, index_targets
from casetrail.search.models import EntryKind, SearchEntry

log = get_logger(__name__)

REBUILD_BATCH = 200

# Called after each batch with the objects done so far and the total.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RebuildReport:
    objects: int
    entries: int
    removed: int
    cursor: int


def all_targets(session: Session) -> list[Target]:
    """Return every object the index should contain: ingested case documents, notes, entities."""
    documents = session.execute(
        select(Document.id)
        .where(Document.status == INGESTED, Document.case_id.is_not(None))
        .order_by(Document.id)
    ).scalars()
    notes = session.execute(select(Note.id).order_by(Note.id)).scalars()
    entities = session.execute(
        select(CaseEntity.case_id, CaseEntity.entity_id)
        .where(CaseEntity.merged_into.is_(None))
        .order_by(CaseEntity.case_id, CaseEntity.entity_id)
    ).all()
    return [
        *(Target(EntryKind.DOCUMENT_PAGE, document_id) for document_id in documents),
        *(Target(EntryKind.NOTE, note_id) for note_id in notes),
        *(Target(EntryKind.ENTITY, entity_id, case_id) for case_id, entity_id in entities),
    ]


def _delete_stale(session: Session, started: datetime) -> int:
    """Delete the entries no batch of this rebuild wrote; return how many there were."""
    stale = SearchEntry.indexed_at < started
    count = session.execute(select(func.count()).select_from(SearchEntry).where(stale)).scalar_one()
    session.execute(delete(SearchEntry).where(stale))
    return int(count)


def _batches(targets: Sequence[Target], size: int) -> Iterator[Sequence[Target]]:
    for start in range(0, len(targets), size):
        yield targets[start : start + size]


def rebuild(
    session_factory: sessionmaker[Session], source: AuditSource, *, progress: Progress | None = None
) -> RebuildReport:
    """Re-index everything; see the module docstring for how it runs beside the follower."""
    started = utcnow()
    with transaction(session_factory) as session:
        get_cursor(session, CONSUMER)
        head = session.execute(select(func.coalesce(func.max(OutboxEvent.seq), 0))).scalar_one()
        vocabulary.clear(session)
        targets = all_targets(session)
    log.info("search_rebuild_started", objects=len(targets), head=head)

    done = entries = 0
    for batch in _batches(targets, REBUILD_BATCH):
        with transaction(session_factory) as session:
            get_cursor(session, CONSUMER)
            entries += index_targets(session, batch, utcnow())
        done += len(batch)
        if progress is not None:
            progress(done, len(targets))

    with transaction(session_factory) as session:
        current = get_cursor(session, CONSUMER)
        removed = _delete_stale(session, started)
        cursor = max(current, head)
        advance_cursor(session, CONSUMER, cursor)
        report = RebuildReport(objects=len(targets), entries=entries, removed=removed, cursor=cursor)
        record(
            session,
            source,
            AuditAction.SEARCH_REINDEX,
            object_type="search_index",
            detail={"objects": report.objects, "entries": report.entries, "removed": report.removed},
        )
    log.info("search_rebuild_done", objects=report.objects, entries=report.entries, removed=report.removed)
    return report

"""The notification follower: outbox events in order, and the periodic due-task check.

One batch reads the events after the cursor ``notifications``, drafts the notifications they
cause, creates them and advances the cursor in one transaction. A crash therefore repeats a
batch, and the unique key (user, source, kind) keeps the repeat from creating anything twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from casetrail.cases.models import Task
from casetrail.cases.tasks import TaskStatus
from casetrail.core.clock import utcnow
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.db.outbox import OutboxCursor, OutboxEvent, advance_cursor, read_events
from casetrail.notifications import sources
from casetrail.notifications.kinds import NotificationKind
from casetrail.notifications.models import Notification
from casetrail.notifications.writer import CONSUMER, Draft, NotificationWriter, lock_writers

log = get_logger(__name__)

DUE_CONSUMER = "notifications.due"
# The due check scans every open task with a due date, so it runs at most this often.
DUE_CHECK_INTERVAL = timedelta(seconds=60)


@dataclass
class FollowerRun:
    events: int = 0
    notifications: int = 0
    last_seq: int = 0
    failed: int = 0


def run_notifications(factory: sessionmaker[Session], settings: Settings, limit: int = 500) -> FollowerRun:
    """Apply up to ``limit`` pending outbox events; zero events in the result means caught up."""
    run = FollowerRun()
    with transaction(factory) as session:
        after = lock_writers(session)
        events = read_events(session, after, limit)
        if not events:
            return run
        writer = NotificationWriter(session, settings)
        for draft in _drafts(session, events, run):
            writer.add(draft)
        run.events = len(events)
        run.last_seq = events[-1].seq
        run.notifications = len(writer.created)
        advance_cursor(session, CONSUMER, run.last_seq)
    log.info(
        "notification_batch_applied",
        events=run.events,
        last_seq=run.last_seq,
        notifications=run.notifications,
        failed=run.failed,
    )
    return run


def follow_until_caught_up(
    factory: sessionmaker[Session], settings: Settings, limit: int = 500
) -> FollowerRun:
    total = FollowerRun()
    while True:
        run = run_notifications(factory, settings, limit)
        if run.events == 0:
            return total
        total.events += run.events
        total.notifications += run.notifications
        total.last_seq = run.last_seq
        total.failed += run.failed


def _drafts(session: Session, events: list[OutboxEvent], run: FollowerRun) -> list[Draft]:
    later_assignments = sources.assignments_in(events)
    drafts = [
        draft
        for event in events
        for draft in _event_drafts(session, event, later_assignments[event.seq], run)
    ]
    for case_id, facts in sources.collect_facts(session, events).items():
        drafts.extend(sources.fact_drafts(session, case_id, facts))
    return _one_notice_per_case(drafts)


def _one_notice_per_case(drafts: list[Draft]) -> list[Draft]:
    """Keep the first deconfliction draft per user and case of a batch.

    One overlap usually yields several notices at once (same phone, same passport, a name
    match), and all of them are on the same notices page.
    """
    seen: set[tuple[str, str | None]] = set()
    kept = []
    for draft in drafts:
        if draft.kind == NotificationKind.DECONFLICTION:
            key = (draft.user_id, draft.case_id)
            if key in seen:
                continue
            seen.add(key)
        kept.append(draft)
    return kept


def _event_drafts(
    session: Session, event: OutboxEvent, later_assignments: set[str], run: FollowerRun
) -> list[Draft]:
    """Draft one event's notifications; an event that fails is logged and skipped, not retried."""
    try:
        with session.begin_nested():
            return (
                sources.task_drafts(session, event, later_assignments)
                + sources.notice_drafts(session, event)
                + sources.custody_drafts(session, event)
                + sources.lead_drafts(session, event, later_assignments)
            )
    except (SQLAlchemyError, ValueError, KeyError, TypeError) as error:
        run.failed += 1
        log.error(
            "notification_event_failed",
            seq=event.seq,
            object_type=event.object_type,
            error_type=type(error).__name__,
        )
        return []


def check_due_tasks(
    factory: sessionmaker[Session], settings: Settings, *, today: date | None = None, force: bool = False
) -> int:
    """Notify assignees of open tasks due today or earlier, once per task and due date.

    Unless ``force`` is set, it does nothing when any process ran it less than
    ``DUE_CHECK_INTERVAL`` ago (a marker row in ``outbox_cursor`` records the last run). Returns
    how many notifications it created.
    """
    day = today or utcnow().date()
    with transaction(factory) as session:
        lock_writers(session)
        if not force and not _due_check_needed(session):
            return 0
        tasks = _due_tasks(session, day)
        known = _known_due_keys(session, [task.id for task in tasks])
        writer = NotificationWriter(session, settings)
        for draft in sources.due_task_drafts(session, tasks):
            if (draft.user_id, draft.source_key) not in known:
                writer.add(draft)
        created = len(writer.created)
    if created:
        log.info("notification_due_tasks", notifications=created)
    return created


def _due_check_needed(session: Session) -> bool:
    now = utcnow()
    marker = session.get(OutboxCursor, DUE_CONSUMER, with_for_update=True)
    if marker is None:
        session.add(OutboxCursor(consumer=DUE_CONSUMER, last_seq=0, updated_at=now))
        return True
    if now - marker.updated_at < DUE_CHECK_INTERVAL:
        return False
    marker.updated_at = now
    return True


def _due_tasks(session: Session, day: date) -> list[Task]:
    query = select(Task).where(
        Task.due_date.is_not(None),
        Task.due_date <= day,
        Task.assignee_id.is_not(None),
        Task.status.in_([TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value]),
    )
    return list(session.execute(query).scalars())


def _known_due_keys(session: Session, task_ids: list[str]) -> set[tuple[str, str]]:
    if not task_ids:
        return set()
    rows = session.execute(
        select(Notification.user_id, Notification.source_key).where(
            Notification.kind == NotificationKind.TASK_DUE.value, Notification.object_id.in_(task_ids)
        )
    ).all()
    return {(user_id, key) for user_id, key in rows}

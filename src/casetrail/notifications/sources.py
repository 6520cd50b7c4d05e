"""Drafts of notifications for outbox events: one function per kind of event.

Events carry ids, never content, so each function loads the current row the event names and
returns drafts. The writer then checks access and preferences; nothing here decides access.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, or_, select, text
from sqlalchemy.orm import Session

from casetrail.auth.models import User
from casetrail.auth.policy import LeadGuard
from casetrail.cases.models import Case, Task
from casetrail.core.clock import utcnow
from casetrail.db.outbox import OutboxEvent
from casetrail.entities.models import ImportBatch, Statement
from casetrail.evidence.models import CustodyEvent, EvidenceItem
from casetrail.evidence.workflow import EventType
from casetrail.notifications.kinds import NotificationKind
from casetrail.notifications.models import CaseFollow, Notification
from casetrail.notifications.writer import Draft
from casetrail.xref.models import Notice

# While a follower has an unread "new facts" notification of a case, or got one this recently,
# further facts in that case add nothing: a busy case would otherwise notify on every batch.
FACT_QUIET_PERIOD = timedelta(hours=1)


def source_key(event: OutboxEvent) -> str:
    return f"outbox:{event.seq}"


def case_number(session: Session, case_id: str | None) -> str:
    case = session.get(Case, case_id) if case_id else None
    return case.number if case else ""


# -- tasks ---------------------------------------------------------------------------------------


def task_drafts(session: Session, event: OutboxEvent, later_assignments: set[str]) -> list[Draft]:
    """Notify a task's assignee when the event set the assignee.

    ``later_assignments`` comes from ``assignments_in``: a later event of the batch notifies instead.
    """
    if event.object_type != "task" or not _sets_assignee(event):
        return []
    if f"task:{event.object_id}" in later_assignments:
        return []
    task = session.get(Task, event.object_id)
    if task is None or task.assignee_id is None:
        return []
    if event.operation == "create" and _username(session, task.assignee_id) == task.created_by:
        return []
    number = case_number(session, task.case_id)
    return [
        Draft(
            user_id=task.assignee_id,
            kind=NotificationKind.TASK_ASSIGNED,
            source_key=source_key(event),
            object_type="task",
            object_id=task.id,
            link=f"/cases/{number}#task-{task.id}",
            case_id=task.case_id,
            event_seq=event.seq,
        )
    ]


def _sets_assignee(event: OutboxEvent) -> bool:
    """Return True for an event that may have set the assignee of a task or a lead."""
    if event.operation == "create":
        return event.object_type in ("task", "lead")
    if event.operation != "update":
        return False
    if event.object_type == "task":
        return "assignee" in (event.payload.get("fields") or [])
    if event.object_type == "lead":
        return "assignee" in (event.payload.get("changed") or [])
    return False


def assignments_in(events: list[OutboxEvent]) -> dict[int, set[str]]:
    """Map each event's seq to the tasks and leads whose assignee a later event of the batch sets.

    Both events would name the current assignee, so only the later one notifies. Keys have the
    form ``task:<id>`` or ``lead:<id>``.
    """
    later: dict[int, set[str]] = {}
    seen: set[str] = set()
    for event in reversed(events):
        later[event.seq] = set(seen)
        if _sets_assignee(event):
            seen.add(f"{event.object_type}:{event.object_id}")
    return later


def _username(session: Session, user_id: str) -> str | None:
    user = session.get(User, user_id)
    return user.username if user else None


def due_task_drafts(session: Session, tasks: list[Task]) -> Iterator[Draft]:
    """Draft one "task due" notification per task, assignee and due date."""
    for task in tasks:
        if task.assignee_id is None or task.due_date is None:
            continue
        number = case_number(session, task.case_id)
        yield Draft(
            user_id=task.assignee_id,
            kind=NotificationKind.TASK_DUE,
            source_key=f"due:{task.id}:{task.due_date.isoformat()}",
            object_type="task",
            object_id=task.id,
            link=f"/cases/{number}#task-{task.id}",
            case_id=task.case_id,
        )


# -- new facts in followed cases -----------------------------------------------------------------


@dataclass
class CaseFacts:
    """The new facts of one case in one batch: the first event, and who recorded them."""

    first: OutboxEvent
    actor_ids: set[str | None] = field(default_factory=set)


def collect_facts(session: Session, events: list[OutboxEvent]) -> dict[str, CaseFacts]:
    """Group the batch's new statements (entity created or extended, imports) by case."""
    facts: dict[str, CaseFacts] = {}
    for event in events:
        if event.object_type != "entity" or event.case_id is None:
            continue
        statement_ids = event.payload.get("statement_ids")
        batch_id = event.payload.get("import_batch_id")
        if not statement_ids and not batch_id:
            continue  # a retraction removes a fact; it adds none
        entry = facts.setdefault(event.case_id, CaseFacts(first=event))
        entry.actor_ids |= _fact_actors(session, statement_ids, batch_id)
    return facts


def _fact_actors(session: Session, statement_ids: object, batch_id: object) -> set[str | None]:
    if isinstance(statement_ids, list) and statement_ids:
        first = session.get(Statement, str(statement_ids[0]))
        return {first.recorded_by_id if first else None}
    batch = session.get(ImportBatch, str(batch_id)) if isinstance(batch_id, str) else None
    if batch is None:
        return {None}
    user = session.execute(select(User.id).where(User.username == batch.imported_by)).scalar_one_or_none()
    return {user}


def fact_drafts(session: Session, case_id: str, facts: CaseFacts) -> list[Draft]:
    """Notify the case's followers, except one who recorded every one of these facts."""
    followers = session.execute(select(CaseFollow.user_id).where(CaseFollow.case_id == case_id)).scalars()
    number = case_number(session, case_id)
    drafts = []
    for user_id in followers:
        if facts.actor_ids == {user_id} or _recently_told(session, user_id, case_id):
            continue
        drafts.append(
            Draft(
                user_id=user_id,
                kind=NotificationKind.CASE_FACT,
                source_key=source_key(facts.first),
                object_type="case",
                object_id=case_id,
                link=f"/cases/{number}",
                case_id=case_id,
                event_seq=facts.first.seq,
            )
        )
    return drafts


def _recently_told(session: Session, user_id: str, case_id: str) -> bool:
    since = utcnow() - FACT_QUIET_PERIOD
    found = session.execute(
        select(Notification.id)
        .where(
            Notification.user_id == user_id,
            Notification.case_id == case_id,
            Notification.kind == NotificationKind.CASE_FACT.value,
            or_(and_(Notification.in_app, Notification.read_at.is_(None)), Notification.created_at > since),
        )
        .limit(1)
    ).first()
    return found is not None


# -- deconfliction and custody -------------------------------------------------------------------


def notice_drafts(session: Session, event: OutboxEvent) -> list[Draft]:
    if event.object_type != "xref_notice" or event.operation != "create":
        return []
    notice = session.get(Notice, event.object_id)
    if notice is None:
        return []
    return [
        Draft(
            user_id=notice.recipient_id,
            kind=NotificationKind.DECONFLICTION,
            source_key=source_key(event),
            object_type="xref_notice",
            object_id=notice.id,
            link="/xref/notices",
            case_id=notice.case_id,
            event_seq=event.seq,
        )
    ]


def custody_drafts(session: Session, event: OutboxEvent) -> list[Draft]:
    """Notify the receiver of a release that is still waiting for them to accept it."""
    if event.object_type != "custody_event" or event.operation != "create":
        return []
    custody = session.get(CustodyEvent, event.object_id)
    if custody is None or custody.event_type != EventType.RELEASE.value or custody.to_user_id is None:
        return []
    item = session.get(EvidenceItem, custody.item_id)
    if item is None or item.pending_release_id != custody.id:
        return []  # accepted or cancelled before the follower got here
    number = case_number(session, item.case_id)
    return [
        Draft(
            user_id=custody.to_user_id,
            kind=NotificationKind.EVIDENCE_AWAITING,
            source_key=source_key(event),
            object_type="evidence_item",
            object_id=item.id,
            link=f"/cases/{number}/evidence/{item.number}",
            case_id=item.case_id,
            event_seq=event.seq,
        )
    ]


# -- leads ---------------------------------------------------------------------------------------


def lead_drafts(session: Session, event: OutboxEvent, later_assignments: set[str]) -> list[Draft]:
    """Notify a lead's assignee when the event set the assignee (see ``task_drafts``).

    The leads package sits beside this one in the layers, so the row is read with plain SQL.
    """
    if event.object_type != "lead" or not _sets_assignee(event):
        return []
    if f"lead:{event.object_id}" in later_assignments:
        return []
    guard = lead_guard(session, event.object_id)
    if guard is None or guard.assignee_id is None:
        return []
    return [
        Draft(
            user_id=guard.assignee_id,
            kind=NotificationKind.LEAD_ASSIGNED,
            source_key=source_key(event),
            object_type="lead",
            object_id=guard.lead_id,
            link=f"/leads/{guard.reference}",
            event_seq=event.seq,
            lead=guard,
        )
    ]


_LEAD_QUERY = text(
    "SELECT id, reference, unit_id, sensitivity, assignee_id, recorded_by_id FROM lead WHERE id = :id"
)


def lead_guard(session: Session, lead_id: str) -> LeadGuard | None:
    row = session.execute(_LEAD_QUERY, {"id": lead_id}).first()
    if row is None:
        return None
    return LeadGuard(
        lead_id=str(row.id),
        reference=str(row.reference),
        unit_id=row.unit_id,
        sensitivity=str(row.sensitivity),
        assignee_id=row.assignee_id,
        recorded_by_id=row.recorded_by_id,
    )

"""Tables of the cases context: cases, members, notes and tasks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

# Imported so the foreign keys to user_account resolve and those columns get their types.
import casetrail.auth.models  # noqa: F401
from casetrail.cases.models import Case, CaseMember, Note, Task
from casetrail.db.outbox import OutboxEvent
from casetrail.lakehouse.spec import Selection, TableSpec


def _by_object_id(event: OutboxEvent) -> list[Selection]:
    return [Selection("id", frozenset([event.object_id]))]


def _cases_source() -> Select[Any]:
    return select(*Case.__table__.columns)


def _members_source() -> Select[Any]:
    return select(*CaseMember.__table__.columns)


def _member_refresh(event: OutboxEvent) -> list[Selection]:
    # The object id of a membership is "<case id>:<user id>".
    case_id, _, user_id = event.object_id.partition(":")
    return [Selection("user_id", frozenset([user_id]), case_id=case_id)]


def _notes_source() -> Select[Any]:
    return select(*Note.__table__.columns)


def _tasks_source() -> Select[Any]:
    return select(*Task.__table__.columns)


CASES = TableSpec(
    name="cases",
    description="One row per case: number, title, status, sensitivity, lead and unit.",
    source=_cases_source,
    key=("id",),
    follows=frozenset({"case"}),
    refresh=_by_object_id,
    case_column="id",
)

CASE_MEMBERS = TableSpec(
    name="case_members",
    description="Who is a member of which case, with the case role.",
    source=_members_source,
    key=("case_id", "user_id"),
    follows=frozenset({"case_member"}),
    refresh=_member_refresh,
)

NOTES = TableSpec(
    name="notes",
    description="Case notes with their text, author and version.",
    source=_notes_source,
    key=("id",),
    follows=frozenset({"note"}),
    refresh=_by_object_id,
)

TASKS = TableSpec(
    name="tasks",
    description="Case tasks with assignee, due date and status.",
    source=_tasks_source,
    key=("id",),
    follows=frozenset({"task"}),
    refresh=_by_object_id,
)

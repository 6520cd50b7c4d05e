"""Case tasks: a piece of work with an assignee (a case member), a due date and a status."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.models import User
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import ensure_not_frozen, open_case
from casetrail.cases.models import Case, CaseMember, Task
from casetrail.cases.service import check_version
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.db.outbox import emit


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


TASK_FIELDS = ("title", "description", "assignee", "due_date", "status")


def _assignee_id(session: Session, case: Case, username: str | None) -> str | None:
    if not username:
        return None
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    member = session.get(CaseMember, (case.id, user.id)) if user else None
    if user is None or member is None:
        raise ValidationFailed(
            f"assignee {username!r} is not a member of case {case.number}",
            {"assignee": "not a case member"},
        )
    return user.id


def _validate(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if "title" in fields and not str(fields["title"] or "").strip():
        errors["title"] = "missing: a task needs a title"
    if "status" in fields and fields["status"] not in set(TaskStatus):
        errors["status"] = f"unknown status {fields['status']!r}: choose one of {', '.join(TaskStatus)}"
    if "due_date" in fields and fields["due_date"] is not None and not isinstance(fields["due_date"], date):
        errors["due_date"] = "not a date (YYYY-MM-DD)"
    if errors:
        raise ValidationFailed("invalid task", errors)


def list_tasks(session: Session, ctx: RequestContext, number: str) -> list[Task]:
    access = open_case(session, ctx, number, CasePermission.READ, "task.read")
    tasks = list(
        session.execute(
            select(Task)
            .where(Task.case_id == access.case.id)
            .order_by(Task.status, Task.due_date, Task.created_at)
        ).scalars()
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.TASK_READ,
        object_type="task",
        case_id=access.case.id,
        detail={"returned": [task.id for task in tasks]},
    )
    return tasks


def add_task(
    session: Session,
    ctx: RequestContext,
    number: str,
    *,
    title: str,
    description: str = "",
    assignee: str | None = None,
    due_date: date | None = None,
) -> Task:
    access = open_case(session, ctx, number, CasePermission.WRITE, "task.create")
    ensure_not_frozen(access.case)
    _validate({"title": title, "due_date": due_date})
    task = Task(
        case_id=access.case.id,
        title=title.strip(),
        description=description,
        assignee_id=_assignee_id(session, access.case, assignee),
        due_date=due_date,
        status=TaskStatus.OPEN,
        created_by=ctx.actor.username,
    )
    session.add(task)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.TASK_CREATE,
        object_type="task",
        object_id=task.id,
        case_id=access.case.id,
    )
    emit(session, object_type="task", object_id=task.id, operation="create", case_id=access.case.id)
    return task


def update_task(
    session: Session,
    ctx: RequestContext,
    number: str,
    task_id: str,
    *,
    expected_version: int | None,
    changes: dict[str, Any],
) -> Task:
    access = open_case(session, ctx, number, CasePermission.WRITE, "task.update")
    ensure_not_frozen(access.case)
    task = session.get(Task, task_id, with_for_update=True)
    if task is None or task.case_id != access.case.id:
        raise NotFound(f"task {task_id} not found in case {number}")
    check_version("task", task.id, task.version, expected_version)
    unknown = set(changes) - set(TASK_FIELDS)
    if unknown:
        raise ValidationFailed("unknown fields", dict.fromkeys(unknown, "not a task field"))
    _validate(changes)
    for name, value in changes.items():
        if name == "assignee":
            task.assignee_id = _assignee_id(session, access.case, value)
        elif name == "title":
            task.title = str(value).strip()
        else:
            setattr(task, name, value)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.TASK_UPDATE,
        object_type="task",
        object_id=task.id,
        case_id=access.case.id,
        detail={"fields": sorted(changes)},
    )
    emit(
        session,
        object_type="task",
        object_id=task.id,
        operation="update",
        case_id=access.case.id,
        payload={"fields": sorted(changes)},
    )
    return task

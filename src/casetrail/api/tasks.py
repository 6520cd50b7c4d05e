"""Case tasks: work with an assignee, a due date and a status."""

from __future__ import annotations

from fastapi import APIRouter, status

from casetrail.api.openapi import error_responses
from casetrail.api.schemas.tasks import TaskCreate, TaskOut, TaskUpdate
from casetrail.cases import tasks as task_service
from casetrail.http.deps import Ctx, DbSession

router = APIRouter(prefix="/cases/{number}/tasks", tags=["tasks"], responses=error_responses(404))


@router.get("")
def list_tasks(number: str, session: DbSession, ctx: Ctx) -> list[TaskOut]:
    return [TaskOut.model_validate(task) for task in task_service.list_tasks(session, ctx, number)]


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409))
def add_task(number: str, body: TaskCreate, session: DbSession, ctx: Ctx) -> TaskOut:
    task = task_service.add_task(
        session,
        ctx,
        number,
        title=body.title,
        description=body.description,
        assignee=body.assignee,
        due_date=body.due_date,
    )
    return TaskOut.model_validate(task)


@router.patch("/{task_id}", responses=error_responses(403, 409))
def update_task(number: str, task_id: str, body: TaskUpdate, session: DbSession, ctx: Ctx) -> TaskOut:
    """Change some fields of a task."""
    changes = body.model_dump(exclude_unset=True, exclude={"expected_version"})
    task = task_service.update_task(
        session, ctx, number, task_id, expected_version=body.expected_version, changes=changes
    )
    return TaskOut.model_validate(task)

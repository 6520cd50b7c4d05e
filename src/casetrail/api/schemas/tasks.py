"""Case tasks."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from casetrail.api.schemas.common import ExpectedVersion, reject_null
from casetrail.cases.tasks import TaskStatus


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    description: str
    assignee_id: str | None
    due_date: date | None
    status: TaskStatus
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int


class TaskCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    assignee: str | None = Field(default=None, description="Username of a case member.")
    due_date: date | None = None


class TaskUpdate(ExpectedVersion):
    """Fields left out keep their value; assignee and due_date take null to clear them."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = None
    assignee: str | None = Field(default=None, description="Username of a case member, or null.")
    due_date: date | None = None
    status: TaskStatus | None = None

    _no_null = field_validator("title", "description", "status", mode="before")(reject_null)

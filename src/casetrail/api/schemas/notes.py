"""Case notes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from casetrail.api.schemas.common import ExpectedVersion


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    body: str
    author_id: str | None
    author_name: str
    created_at: datetime
    updated_at: datetime
    version: int


class NoteCreate(BaseModel):
    body: str = Field(min_length=1, max_length=100_000)


class NoteUpdate(ExpectedVersion):
    body: str = Field(min_length=1, max_length=100_000)

"""Notifications, notification preferences and following a case."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from casetrail.notifications.kinds import NotificationKind


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    seq: int = Field(description="Position in the caller's stream; the SSE event id.")
    kind: NotificationKind
    title: str = Field(description='Kind and case number only, e.g. "Task assigned in 2026-0142".')
    link: str = Field(description="Path of the web page the notification is about.")
    object_type: str
    object_id: str
    created_at: datetime
    read_at: datetime | None


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int


class KindChoiceIn(BaseModel):
    in_app: bool
    email: bool


class KindChoiceOut(KindChoiceIn):
    kind: NotificationKind
    label: str


class PreferencesOut(BaseModel):
    choices: list[KindChoiceOut]
    email_address: str | None
    email_enabled: bool = Field(description="False when the server sends no e-mail (no SMTP server set).")


class PreferencesUpdate(BaseModel):
    kinds: dict[str, KindChoiceIn] = Field(
        default_factory=dict, description="Choices by kind; kinds left out keep their choice."
    )
    email_address: str | None = Field(
        default=None,
        max_length=320,
        description="Where e-mail goes; an empty string stops e-mail. Left out, the address stays.",
    )


class FollowOut(BaseModel):
    case_number: str
    following: bool

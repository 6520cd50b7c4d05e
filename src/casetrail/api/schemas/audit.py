"""Audit records and the verification of their hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AuditRecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    id: str
    at: datetime
    actor_id: str | None
    actor_name: str
    action: str = Field(examples=["access.denied"])
    outcome: str = Field(examples=["success", "denied", "failure"])
    object_type: str | None
    object_id: str | None
    case_id: str | None
    client_addr: str | None
    request_id: str | None
    purpose: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    items: list[AuditRecordOut]
    next_after_seq: int | None = Field(
        description="Pass as after_seq to read the next page; null when this page is the last."
    )


class ChainReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    ok: bool
    records_checked: int
    head_hash: str = Field(description="Hash of the last record; publish it to detect a rewrite later.")
    first_bad_seq: int | None
    first_bad_id: str | None
    problem: str | None

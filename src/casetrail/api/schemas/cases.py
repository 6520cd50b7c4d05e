"""Cases: list, create, read, change fields and status."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from casetrail.api.schemas.common import ExpectedVersion, reject_null
from casetrail.auth.policy import CasePermission
from casetrail.auth.roles import Sensitivity
from casetrail.cases.workflow import CaseStatus


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    number: str = Field(examples=["2026-0142"])
    title: str
    summary: str
    offence_category: str
    status: CaseStatus
    sensitivity: Sensitivity
    lead_id: str
    unit_id: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Send it back as expected_version to change the case.")


class CasePage(BaseModel):
    items: list[CaseOut]
    total: int = Field(description="Cases matching the filters that the caller may see.")


class StatusChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: CaseStatus | None
    to_status: CaseStatus
    reason: str
    changed_by: str
    changed_at: datetime


class CaseDetail(CaseOut):
    lead_name: str
    permissions: list[CasePermission] = Field(description="What the caller may do in this case.")
    allowed_next_statuses: list[CaseStatus] = Field(
        description=(
            "Statuses the workflow allows next. Changing status needs the manage permission; "
            "reopening or archiving a closed case needs supervise."
        )
    )
    status_history: list[StatusChangeOut]


class CaseCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    number: str | None = Field(
        default=None, description="Case number; the next YYYY-NNNN number when left out."
    )
    lead: str | None = Field(default=None, description="Username of the lead; the caller when left out.")
    summary: str = ""
    offence_category: str = Field(default="", max_length=100)
    sensitivity: Sensitivity = Sensitivity.RESTRICTED


class CaseUpdate(ExpectedVersion):
    """Fields left out keep their value."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    summary: str | None = None
    offence_category: str | None = Field(default=None, max_length=100)
    sensitivity: Sensitivity | None = None

    _no_null = field_validator("title", "summary", "offence_category", "sensitivity", mode="before")(
        reject_null
    )


class StatusChange(ExpectedVersion):
    status: CaseStatus
    reason: str = Field(min_length=1, max_length=2000, description="Why the case moves; kept in its history.")

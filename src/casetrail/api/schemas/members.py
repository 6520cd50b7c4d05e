"""Case membership."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from casetrail.auth.roles import CaseRole


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: str
    username: str
    display_name: str
    role: CaseRole
    added_by: str


class MemberAdd(BaseModel):
    username: str = Field(max_length=64)
    role: CaseRole = Field(
        description="lead, investigator or analyst change case content; viewer only reads. "
        "Naming a new lead makes the old lead an investigator."
    )

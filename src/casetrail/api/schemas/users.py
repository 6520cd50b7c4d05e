"""Accounts, units and API tokens."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from casetrail.auth.models import User
from casetrail.auth.roles import Role, Sensitivity


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: Role
    clearance: Sensitivity
    unit_id: str | None = Field(description="Unit the account belongs to. Supervisors see its cases.")
    unit: str | None = Field(description="Name of that unit.", examples=["Narcotics Unit 3"])
    active: bool
    last_login_at: datetime | None

    @classmethod
    def from_user(cls, user: User, unit_names: Mapping[str, str]) -> UserOut:
        """Build the model from an account and a map of unit ids to names."""
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=Role(user.role),
            clearance=Sensitivity(user.clearance),
            unit_id=user.unit_id,
            unit=unit_names.get(user.unit_id) if user.unit_id else None,
            active=user.active,
            last_login_at=user.last_login_at,
        )


class UserCreate(BaseModel):
    username: str = Field(
        examples=["rivera"],
        description="2-64 lowercase letters, digits, '.', '_' or '-', starting with a letter.",
    )
    password: SecretStr = Field(description="At least the configured minimum length (12 by default).")
    role: Role
    display_name: str | None = Field(default=None, examples=["Agent Rivera"])
    clearance: Sensitivity = Sensitivity.CONFIDENTIAL
    unit: str | None = Field(
        default=None,
        examples=["Narcotics Unit 3"],
        description="Name of the unit. A unit of that name is created when none exists.",
    )


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["nightly export"])
    days: int | None = Field(
        default=90, ge=1, le=3650, description="Days until the token expires; null for no expiry."
    )


class TokenCreated(BaseModel):
    token: str = Field(description="The bearer token. Shown only in this response; store it now.")
    username: str
    name: str
    days: int | None


class UnitCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Narcotics Unit 3"])
    parent: str | None = Field(default=None, description="Name of the parent unit.")


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    parent_id: str | None

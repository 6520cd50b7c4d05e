"""Login, logout and the caller's own account."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from casetrail.api.schemas.users import UserOut


class LoginRequest(BaseModel):
    username: str = Field(max_length=64)
    password: SecretStr = Field(max_length=1024)
    totp_code: str | None = Field(
        default=None, max_length=16, description="Current one-time code, for accounts with TOTP enabled."
    )


class LoginResponse(BaseModel):
    user: UserOut
    csrf_token: str = Field(
        description="Send it in the X-CSRF-Token header of every POST, PATCH and DELETE made with the cookie."
    )


class MeResponse(BaseModel):
    user: UserOut
    authenticated_via: Literal["session", "token"]
    csrf_token: str | None = Field(description="The session's CSRF token; null for API token callers.")

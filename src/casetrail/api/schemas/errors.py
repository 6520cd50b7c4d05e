"""The JSON error envelope, as every API error response carries it."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(
        description="Stable machine-readable code, e.g. not_found, version_conflict, validation_failed."
    )
    message: str = Field(description="What failed, on which value, and what to do next.")
    request_id: str | None = Field(description="Identifier of the request in the server log.")
    fields: dict[str, str] | None = Field(
        default=None,
        description="Field name to message, for invalid input. Left out when no field is at fault.",
    )


class ErrorEnvelope(BaseModel):
    error: ErrorDetail

"""Mapping of casetrail errors to HTTP status codes and the one JSON error envelope.

{"error": {"code": "version_conflict", "message": "...", "fields": {...}, "request_id": "..."}}
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from casetrail.core.errors import (
    AuthenticationFailed,
    CasetrailError,
    Conflict,
    IntegrityFailed,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)

_STATUS: list[tuple[type[CasetrailError], int]] = [
    (NotFound, 404),
    (PermissionDenied, 403),
    (AuthenticationFailed, 401),
    (ValidationFailed, 422),
    (Conflict, 409),
    (RateLimited, 429),
    (IntegrityFailed, 500),
]


def status_for(error: BaseException) -> int:
    if isinstance(error, StaleDataError):
        return 409
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


def error_body(
    code: str, message: str, request_id: str | None, fields: dict[str, str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message, "request_id": request_id}
    if fields:
        body["fields"] = fields
    return {"error": body}


def describe(error: BaseException) -> tuple[str, str, dict[str, str]]:
    """Return (code, message, fields) for an error, hiding internals of unexpected ones."""
    if isinstance(error, StaleDataError):
        return (
            "version_conflict",
            "the record was changed by someone else while this change was being saved; "
            "reload it and apply the change again",
            {},
        )
    if isinstance(error, ValidationFailed):
        return error.code, error.message, error.errors
    if isinstance(error, CasetrailError):
        # Hidden objects read exactly like missing ones.
        code = "not_found" if isinstance(error, NotFound) else error.code
        return code, error.message, {}
    return "internal_error", "internal error: the request id identifies it in the server log", {}

"""Error responses as the OpenAPI document describes them.

Every error carries the same envelope (``schemas.errors.ErrorEnvelope``). Each description states
when this API returns that status code.
"""

from __future__ import annotations

from typing import Any

from casetrail.api.schemas.errors import ErrorEnvelope

_DESCRIPTIONS = {
    401: "Not logged in, session ended, or invalid credentials or API token (authentication_failed).",
    403: (
        "The caller's role or case permission does not allow this, or a cookie-authenticated "
        "request lacks the X-CSRF-Token header (permission_denied)."
    ),
    404: "Not found, or hidden from the caller by need-to-know: the two responses are identical.",
    409: (
        "The change no longer applies: version_conflict when the record changed since it was "
        "read, invalid_transition for a status step the workflow does not allow, conflict otherwise."
    ),
    422: "Invalid input (validation_failed, import_failed); fields maps each field to its message.",
    429: "Too many requests from this client address in the current window (rate_limited); retry later.",
}


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """Return the ``responses`` entry of a route for the given error status codes."""
    return {code: {"model": ErrorEnvelope, "description": _DESCRIPTIONS[code]} for code in status_codes}

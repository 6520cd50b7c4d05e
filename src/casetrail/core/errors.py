"""One error tree for every context. Services raise these; only the API maps them to HTTP.

CasetrailError
├── NotFound               the object does not exist
│   └── Hidden             it exists, but the caller may not know that; looks like NotFound
├── PermissionDenied       the caller is known to see the object but may not do this to it
├── AuthenticationFailed   wrong credentials, expired session, locked account
├── ValidationFailed       input is invalid; ``errors`` maps each field to its message
│   └── ImportFailed       an import file is invalid; names the line and the property
├── RateLimited            too many requests from one client in the current window
├── Conflict               the change no longer applies to the stored state
│   ├── VersionConflict    the record changed since the caller read it
│   └── InvalidTransition  a workflow step that the current status does not allow
└── IntegrityFailed        stored data failed a check (hash chain, blob hash)
"""

from __future__ import annotations

from collections.abc import Mapping


class CasetrailError(Exception):
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(CasetrailError):
    code = "not_found"


class Hidden(NotFound):
    """Raised when policy denies access to an object the caller may not know exists.

    Interfaces show it exactly like ``NotFound``; the extra fields feed the audit trail.
    """

    def __init__(self, message: str, *, attempted: str, object_type: str, object_id: str) -> None:
        super().__init__(message)
        self.attempted = attempted
        self.object_type = object_type
        self.object_id = object_id


class PermissionDenied(CasetrailError):
    code = "permission_denied"

    def __init__(
        self,
        message: str,
        *,
        attempted: str = "",
        object_type: str | None = None,
        object_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.attempted = attempted
        self.object_type = object_type
        self.object_id = object_id


class AuthenticationFailed(CasetrailError):
    code = "authentication_failed"


class ValidationFailed(CasetrailError):
    code = "validation_failed"

    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors: dict[str, str] = dict(errors or {})


class ImportFailed(ValidationFailed):
    code = "import_failed"

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        location = {"line": str(line)} if line is not None else {}
        if field is not None:
            location["property"] = field
        super().__init__(message, location)
        self.line = line
        self.field = field


class RateLimited(CasetrailError):
    """Raised when a client used up its requests of the current window; ``retry_after`` is in seconds."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Conflict(CasetrailError):
    code = "conflict"


class VersionConflict(Conflict):
    code = "version_conflict"

    def __init__(self, kind: str, object_id: str, expected: int, actual: int) -> None:
        super().__init__(
            f"{kind} {object_id} changed since it was read: expected version {expected}, "
            f"current version {actual}. Reload it and apply the change again."
        )
        self.expected = expected
        self.actual = actual


class InvalidTransition(Conflict):
    code = "invalid_transition"


class IntegrityFailed(CasetrailError):
    code = "integrity_failed"

"""The review workflow of a legal document.

    draft ──submit──▶ submitted ──approve──▶ approved ──file──▶ filed
      ▲                  │
      │               return (with comments)
      │                  ▼
      └──── edit ──── returned ──submit──▶ submitted

Authors edit a document while it is a draft or returned; each edit saves a new version. An
approved or filed document is immutable. A redacted copy is born ``redacted`` and never moves.
"""

from __future__ import annotations

from enum import StrEnum


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    FILED = "filed"
    REDACTED = "redacted"


class ReviewAction(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    FILE = "file"
    REDACT = "redact"


EDITABLE = frozenset({DocumentStatus.DRAFT, DocumentStatus.RETURNED})
ISSUED = frozenset({DocumentStatus.APPROVED, DocumentStatus.FILED, DocumentStatus.REDACTED})

TRANSITIONS: dict[ReviewAction, tuple[frozenset[DocumentStatus], DocumentStatus]] = {
    ReviewAction.SUBMIT: (EDITABLE, DocumentStatus.SUBMITTED),
    ReviewAction.RETURN: (frozenset({DocumentStatus.SUBMITTED}), DocumentStatus.RETURNED),
    ReviewAction.APPROVE: (frozenset({DocumentStatus.SUBMITTED}), DocumentStatus.APPROVED),
    ReviewAction.FILE: (frozenset({DocumentStatus.APPROVED}), DocumentStatus.FILED),
}

"""The case status workflow.

    open ──► active ──► suspended ──► closed ──► archived
      │        ▲  │         │  ▲        │
      │        │  └─────────┼──┘        │ (reopen: supervisor)
      │        └────────────┘           ▼
      └──────────► suspended, closed   active

Every transition needs a reason. Archiving and reopening a closed case need a supervisor.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    OPEN = "open"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"
    ARCHIVED = "archived"


TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.ACTIVE, CaseStatus.SUSPENDED, CaseStatus.CLOSED}),
    CaseStatus.ACTIVE: frozenset({CaseStatus.SUSPENDED, CaseStatus.CLOSED}),
    CaseStatus.SUSPENDED: frozenset({CaseStatus.ACTIVE, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.ACTIVE, CaseStatus.ARCHIVED}),
    CaseStatus.ARCHIVED: frozenset(),
}

SUPERVISOR_ONLY: frozenset[tuple[CaseStatus, CaseStatus]] = frozenset(
    {(CaseStatus.CLOSED, CaseStatus.ACTIVE), (CaseStatus.CLOSED, CaseStatus.ARCHIVED)}
)

# Content of a case in these states is read-only.
FROZEN: frozenset[CaseStatus] = frozenset({CaseStatus.CLOSED, CaseStatus.ARCHIVED})


def allowed_next(status: str) -> list[str]:
    return sorted(TRANSITIONS[CaseStatus(status)])

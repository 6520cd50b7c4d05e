"""The status workflow of a lead: new, in triage, assigned, actioned, closed.

Triage staff move a lead anywhere the table allows. The assignee, who works the lead, marks it
actioned or closed and hands it back to triage. Closing needs a reason from ``CLOSE_REASONS``
and a note; reopening a closed lead sends it back to triage.
"""

from __future__ import annotations

from enum import StrEnum


class LeadStatus(StrEnum):
    NEW = "new"
    IN_TRIAGE = "in_triage"
    ASSIGNED = "assigned"
    ACTIONED = "actioned"
    CLOSED = "closed"


TRANSITIONS: dict[LeadStatus, frozenset[LeadStatus]] = {
    LeadStatus.NEW: frozenset({LeadStatus.IN_TRIAGE, LeadStatus.ASSIGNED, LeadStatus.CLOSED}),
    LeadStatus.IN_TRIAGE: frozenset({LeadStatus.ASSIGNED, LeadStatus.CLOSED}),
    LeadStatus.ASSIGNED: frozenset({LeadStatus.IN_TRIAGE, LeadStatus.ACTIONED, LeadStatus.CLOSED}),
    LeadStatus.ACTIONED: frozenset({LeadStatus.ASSIGNED, LeadStatus.CLOSED}),
    LeadStatus.CLOSED: frozenset({LeadStatus.IN_TRIAGE}),
}

# Steps the assignee may take without the triage permission.
ASSIGNEE_STEPS: frozenset[tuple[LeadStatus, LeadStatus]] = frozenset(
    {
        (LeadStatus.ASSIGNED, LeadStatus.ACTIONED),
        (LeadStatus.ASSIGNED, LeadStatus.CLOSED),
        (LeadStatus.ASSIGNED, LeadStatus.IN_TRIAGE),
        (LeadStatus.ACTIONED, LeadStatus.CLOSED),
        (LeadStatus.ACTIONED, LeadStatus.ASSIGNED),
    }
)

OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.IN_TRIAGE, LeadStatus.ASSIGNED, LeadStatus.ACTIONED)

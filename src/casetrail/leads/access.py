"""Loading a lead for an actor: the one path from a lead reference to a permission decision."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import LeadGuard, LeadPermission
from casetrail.core.errors import NotFound
from casetrail.leads.models import Lead, LeadCounter


@dataclass(frozen=True)
class LeadAccess:
    lead: Lead
    permissions: frozenset[str]

    def can(self, permission: LeadPermission) -> bool:
        return permission in self.permissions


def guard_for(lead: Lead) -> LeadGuard:
    return LeadGuard(
        lead_id=lead.id,
        reference=lead.reference,
        unit_id=lead.unit_id,
        sensitivity=lead.sensitivity,
        assignee_id=lead.assignee_id,
        recorded_by_id=lead.recorded_by_id,
    )


def open_lead(
    session: Session,
    ctx: RequestContext,
    reference: str,
    permission: LeadPermission,
    attempted: str,
    *,
    lock: bool = False,
) -> LeadAccess:
    """Load lead ``reference`` and check ``permission``; a hidden lead reads as not found."""
    query = select(Lead).where(Lead.reference == reference)
    if lock:
        query = query.with_for_update()
    lead = session.execute(query).scalar_one_or_none()
    if lead is None:
        raise NotFound(f"lead {reference} not found")
    granted = policy.require_lead(session, ctx, guard_for(lead), permission, attempted)
    return LeadAccess(lead=lead, permissions=granted)


def next_reference(session: Session, year: int) -> str:
    """Return the next free reference of ``year``, e.g. ``L-2026-0042``; the counter row is locked."""
    counter = session.get(LeadCounter, year, with_for_update=True)
    if counter is None:
        counter = LeadCounter(year=year, last=0)
        session.add(counter)
    counter.last += 1
    while True:
        reference = f"L-{year}-{counter.last:04d}"
        if not session.execute(select(Lead.id).where(Lead.reference == reference)).first():
            return reference
        counter.last += 1

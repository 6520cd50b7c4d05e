"""Writing a lead and its history: the steps shared by public tips and staff leads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.core.clock import utcnow
from casetrail.core.settings import Settings
from casetrail.db.outbox import emit
from casetrail.leads.access import next_reference
from casetrail.leads.fields import Grading, LeadContact, LeadFacts
from casetrail.leads.models import Lead, LeadStatusChange
from casetrail.leads.workflow import LeadStatus

DEFAULT_DUE_HOURS = 72


def due_time(settings: Settings, priority: str, received_at: datetime) -> datetime:
    hours = settings.leads.due_hours.get(priority, DEFAULT_DUE_HOURS)
    return received_at + timedelta(hours=hours)


def new_lead(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    *,
    kind: str,
    channel: str,
    facts: LeadFacts,
    contact: LeadContact,
    grading: Grading,
    priority: str,
    sensitivity: str,
    recorded_by: str,
    source_description: str = "",
    category: str = "",
    jurisdiction: str = "",
    unit_id: str | None = None,
    receipt_hash: str | None = None,
) -> Lead:
    """Add a lead in status new with its first history entry; facts and contact are already clean."""
    now = utcnow()
    lead = Lead(
        reference=next_reference(session, now.year),
        kind=kind,
        channel=channel,
        status=LeadStatus.NEW,
        priority=priority,
        category=category,
        jurisdiction=jurisdiction,
        sensitivity=sensitivity,
        unit_id=unit_id,
        title=facts.title,
        body=facts.body,
        location=facts.location,
        occurred_at=facts.occurred_at,
        subject_names=list(facts.subject_names),
        vehicle_plates=list(facts.vehicle_plates),
        source_description=source_description,
        contact_name=contact.name,
        contact_phone=contact.phone,
        contact_email=contact.email,
        contact_address=contact.address,
        grading_scale=grading.scale,
        source_grade=grading.source,
        information_grade=grading.information,
        handling_code=grading.handling,
        receipt_hash=receipt_hash,
        received_at=now,
        due_at=due_time(settings, priority, now),
        recorded_by=recorded_by,
        recorded_by_id=ctx.actor.user_id,
    )
    session.add(lead)
    session.flush()
    add_status_change(
        session,
        ctx,
        lead,
        from_status=None,
        to_status=LeadStatus.NEW,
        reason="lead received",
        changed_by=recorded_by,
    )
    return lead


def add_status_change(
    session: Session,
    ctx: RequestContext,
    lead: Lead,
    *,
    from_status: str | None,
    to_status: str,
    reason: str,
    changed_by: str | None = None,
) -> None:
    session.add(
        LeadStatusChange(
            lead_id=lead.id,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            changed_by=changed_by or ctx.actor.username,
            changed_by_id=ctx.actor.user_id,
            changed_at=utcnow(),
        )
    )


def publish(
    session: Session,
    ctx: RequestContext,
    lead: Lead,
    action: AuditAction,
    *,
    operation: str,
    changed: list[str],
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit a change of ``lead`` and emit its outbox event; both carry field names, not content."""
    record(
        session,
        ctx.audit_source,
        action,
        object_type="lead",
        object_id=lead.id,
        case_id=lead.case_id,
        detail={"reference": lead.reference, "changed": changed, **(detail or {})},
    )
    emit(
        session,
        object_type="lead",
        object_id=lead.id,
        operation=operation,
        case_id=lead.case_id,
        payload={"changed": changed},
    )

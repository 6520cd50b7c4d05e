"""Leads recorded by staff, and the work on every lead: read, change, assign, move through triage."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.models import Unit, User
from casetrail.auth.policy import LeadPermission
from casetrail.auth.roles import Sensitivity
from casetrail.cases.service import check_version
from casetrail.core.clock import utcnow
from casetrail.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings
from casetrail.leads import grouping
from casetrail.leads.access import LeadAccess, open_lead
from casetrail.leads.fields import (
    Grading,
    LeadContact,
    LeadFacts,
    check_channel,
    check_choice,
    check_priority,
    check_sensitivity,
    clean_contact,
    clean_facts,
    clean_grading,
    short_label,
)
from casetrail.leads.models import CLOSE_REASONS, Lead
from casetrail.leads.records import add_status_change, due_time, new_lead, publish
from casetrail.leads.workflow import ASSIGNEE_STEPS, TRANSITIONS, LeadStatus

log = get_logger(__name__)


def _unit_id(session: Session, unit_name: str | None) -> str | None:
    if not unit_name:
        return None
    unit_id = session.execute(select(Unit.id).where(Unit.name == unit_name)).scalar_one_or_none()
    if unit_id is None:
        raise ValidationFailed(f"unit {unit_name!r} not found", {"unit": "no such unit"})
    return unit_id


def create_lead(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    *,
    channel: str,
    facts: LeadFacts,
    contact: LeadContact | None = None,
    grading: Grading | None = None,
    source_description: str = "",
    priority: str = "normal",
    sensitivity: str = Sensitivity.RESTRICTED,
    category: str = "",
    jurisdiction: str = "",
    unit_name: str | None = None,
) -> Lead:
    """Record a lead from a call, a partner agency, another case or analysis.

    It joins the named unit's queue, or the recorder's own unit's queue when none is named.
    """
    policy.require_lead_create(ctx)
    if channel == "public_form":
        raise ValidationFailed("public tips come only through the tip form", {"channel": "not public_form"})
    check_channel(channel)
    check_priority(priority)
    check_sensitivity(sensitivity)
    if len(source_description) > 500:
        raise ValidationFailed(
            "the source description is too long", {"source_description": "at most 500 characters"}
        )
    lead = new_lead(
        session,
        ctx,
        settings,
        kind="internal",
        channel=channel,
        facts=clean_facts(facts, max_text_length=settings.leads.max_text_length),
        contact=clean_contact(contact or LeadContact()),
        grading=clean_grading(grading or Grading()),
        priority=priority,
        sensitivity=sensitivity,
        recorded_by=ctx.actor.username,
        source_description=source_description.strip(),
        category=short_label(category, "category"),
        jurisdiction=short_label(jurisdiction, "jurisdiction"),
        unit_id=_unit_id(session, unit_name) or ctx.actor.unit_id,
    )
    grouping.regroup(session, lead, settings)
    publish(session, ctx, lead, AuditAction.LEAD_CREATE, operation="create", changed=[])
    log.info("lead_created", lead_id=lead.id, channel=channel)
    return lead


@dataclass(frozen=True)
class LeadUpdate:
    """Fields to change; None leaves a field as it is. Triage fields need the triage permission."""

    title: str | None = None
    body: str | None = None
    location: str | None = None
    occurred_at: datetime | None = None
    subject_names: list[str] | None = None
    vehicle_plates: list[str] | None = None
    source_description: str | None = None
    grading: Grading | None = None
    priority: str | None = None
    category: str | None = None
    jurisdiction: str | None = None
    sensitivity: str | None = None
    due_at: datetime | None = None


TRIAGE_FIELDS = frozenset({"priority", "category", "jurisdiction", "sensitivity", "due_at"})
_FACT_FIELDS = ("title", "body", "location", "occurred_at", "subject_names", "vehicle_plates")


def update_lead(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    reference: str,
    change: LeadUpdate,
    *,
    expected_version: int | None,
) -> Lead:
    access = open_lead(session, ctx, reference, LeadPermission.WORK, "lead.update", lock=True)
    lead = access.lead
    check_version("lead", reference, lead.version, expected_version)
    requested = {item.name for item in fields(change) if getattr(change, item.name) is not None}
    if requested & TRIAGE_FIELDS and not access.can(LeadPermission.TRIAGE):
        raise PermissionDenied(
            f"only triage staff change the priority, category, jurisdiction, label or due time "
            f"of lead {reference}",
            attempted="lead.update",
            object_type="lead",
            object_id=lead.id,
        )
    changed = _apply_facts(lead, change, settings) + _apply_triage(lead, change, settings)
    if change.source_description is not None:
        lead.source_description = change.source_description.strip()[:500]
        changed.append("source_description")
    if change.grading is not None:
        grading = clean_grading(change.grading)
        lead.grading_scale, lead.source_grade = grading.scale, grading.source
        lead.information_grade, lead.handling_code = grading.information, grading.handling
        changed.append("grading")
    session.flush()
    if set(changed) & {"body", "location", "subject_names"}:
        grouping.regroup(session, lead, settings)
    publish(session, ctx, lead, AuditAction.LEAD_UPDATE, operation="update", changed=changed)
    return lead


def _apply_facts(lead: Lead, change: LeadUpdate, settings: Settings) -> list[str]:
    if all(getattr(change, name) is None for name in _FACT_FIELDS):
        return []
    merged = LeadFacts(
        title=change.title if change.title is not None else lead.title,
        body=change.body if change.body is not None else lead.body,
        location=change.location if change.location is not None else lead.location,
        occurred_at=change.occurred_at if change.occurred_at is not None else lead.occurred_at,
        subject_names=change.subject_names if change.subject_names is not None else lead.subject_names,
        vehicle_plates=change.vehicle_plates if change.vehicle_plates is not None else lead.vehicle_plates,
    )
    clean = clean_facts(merged, max_text_length=settings.leads.max_text_length)
    changed: list[str] = []
    for name in _FACT_FIELDS:
        if getattr(change, name) is not None and getattr(lead, name) != getattr(clean, name):
            setattr(lead, name, getattr(clean, name))
            changed.append(name)
    return changed


def _apply_triage(lead: Lead, change: LeadUpdate, settings: Settings) -> list[str]:
    changed: list[str] = []
    if change.priority is not None and change.priority != lead.priority:
        lead.priority = check_priority(change.priority)
        changed.append("priority")
        if change.due_at is None:
            lead.due_at = due_time(settings, lead.priority, lead.received_at)
            changed.append("due_at")
    if change.category is not None:
        lead.category = short_label(change.category, "category")
        changed.append("category")
    if change.jurisdiction is not None:
        lead.jurisdiction = short_label(change.jurisdiction, "jurisdiction")
        changed.append("jurisdiction")
    if change.sensitivity is not None:
        lead.sensitivity = check_sensitivity(change.sensitivity)
        changed.append("sensitivity")
    if change.due_at is not None:
        lead.due_at = change.due_at
        changed.append("due_at")
    return changed


def assign(
    session: Session,
    ctx: RequestContext,
    reference: str,
    *,
    username: str | None = None,
    unit_name: str | None = None,
    reason: str = "",
) -> Lead:
    """Route a lead to a unit's queue, to a person, or both.

    A person becomes the assignee and the lead moves to assigned. A unit alone clears the
    assignee and puts the lead in that unit's triage queue.
    """
    access = open_lead(session, ctx, reference, LeadPermission.TRIAGE, "lead.assign", lock=True)
    lead = access.lead
    if not username and not unit_name:
        raise ValidationFailed("name a person or a unit to assign the lead to", {"assignee": "missing"})
    changed: list[str] = []
    if unit_name:
        lead.unit_id = _unit_id(session, unit_name)
        changed.append("unit")
    before = lead.status
    if username:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None or not user.active:
            raise ValidationFailed(f"user {username!r} not found", {"assignee": "no such active user"})
        policy.require_lead_assignee_eligible(user.role)
        lead.assignee_id = user.id
        if not unit_name and lead.unit_id is None:
            lead.unit_id = user.unit_id
            changed.append("unit")
        changed.append("assignee")
        target = LeadStatus.ASSIGNED
    else:
        if lead.assignee_id is not None:
            lead.assignee_id = None
            changed.append("assignee")
        target = LeadStatus.IN_TRIAGE
    if lead.status not in (LeadStatus.CLOSED, target):
        lead.status = target
        changed.append("status")
        note = reason.strip() or ("assigned to " + (username or unit_name or ""))
        add_status_change(session, ctx, lead, from_status=before, to_status=target, reason=note)
    session.flush()
    publish(session, ctx, lead, AuditAction.LEAD_ASSIGN, operation="update", changed=changed)
    return lead


def change_status(
    session: Session,
    ctx: RequestContext,
    reference: str,
    *,
    to_status: str,
    reason: str,
    close_reason: str | None = None,
) -> Lead:
    """Move a lead one step in the workflow; closing needs ``close_reason`` and a note."""
    access = open_lead(session, ctx, reference, LeadPermission.WORK, "lead.status_change", lock=True)
    lead = access.lead
    target = LeadStatus(check_choice(to_status, tuple(LeadStatus), "status"))
    current = LeadStatus(lead.status)
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise InvalidTransition(
            f"lead {reference} cannot go from {current} to {target}: allowed next {allowed}"
        )
    if not access.can(LeadPermission.TRIAGE) and (current, target) not in ASSIGNEE_STEPS:
        raise PermissionDenied(
            f"only triage staff move lead {reference} from {current} to {target}",
            attempted="lead.status_change",
            object_type="lead",
            object_id=lead.id,
        )
    _check_status_inputs(lead, target, reason, close_reason)
    lead.status = target
    lead.close_reason = close_reason if target == LeadStatus.CLOSED else None
    add_status_change(session, ctx, lead, from_status=current, to_status=target, reason=reason.strip())
    session.flush()
    publish(
        session,
        ctx,
        lead,
        AuditAction.LEAD_STATUS,
        operation="update",
        changed=["status"],
        detail={"from": current.value, "to": target.value, "close_reason": lead.close_reason},
    )
    return lead


def _check_status_inputs(lead: Lead, target: LeadStatus, reason: str, close_reason: str | None) -> None:
    if not reason.strip():
        raise ValidationFailed("a reason is required to change the status of a lead", {"reason": "missing"})
    if target == LeadStatus.CLOSED:
        if close_reason is None:
            raise ValidationFailed(
                "closing a lead needs a close reason",
                {"close_reason": f"choose one of {', '.join(CLOSE_REASONS)}"},
            )
        check_choice(close_reason, CLOSE_REASONS, "close_reason")
    if target == LeadStatus.ASSIGNED and lead.assignee_id is None:
        raise ValidationFailed(
            f"lead {lead.reference} has no assignee: assign it to a person instead", {"status": "no assignee"}
        )


def read_lead(session: Session, ctx: RequestContext, reference: str) -> LeadAccess:
    """Load a lead the actor may see, and audit the read."""
    access = open_lead(session, ctx, reference, LeadPermission.READ, "lead.read")
    record(
        session,
        ctx.audit_source,
        AuditAction.LEAD_READ,
        object_type="lead",
        object_id=access.lead.id,
        case_id=access.lead.case_id,
    )
    return access


def is_overdue(lead: Lead, now: datetime | None = None) -> bool:
    return lead.status != LeadStatus.CLOSED and lead.due_at < (now or utcnow())

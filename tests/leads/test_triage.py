"""Triage: internal leads, visibility, assignment and the status workflow."""

from __future__ import annotations

import pytest

from casetrail.core.errors import Hidden, InvalidTransition, PermissionDenied, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.db.outbox import OutboxEvent
from casetrail.leads import service
from casetrail.leads.fields import Grading, LeadFacts
from casetrail.leads.models import Lead
from casetrail.leads.queue import QueueFilter, lead_view, list_queue
from tests.leads.conftest import LeadWorld


def _internal(world: LeadWorld, title: str = "Call from a neighbour", priority: str = "normal") -> Lead:
    with transaction(world.factory) as session:
        return service.create_lead(
            session,
            world.ctx(world.rivera),
            world.settings,
            channel="phone",
            facts=LeadFacts(title=title, body="A caller reports a car parked for days."),
            grading=Grading(scale="5x5x5", source="B", information="2", handling="1"),
            priority=priority,
        )


def test_internal_lead_joins_recorders_unit(world: LeadWorld) -> None:
    lead = _internal(world)
    assert lead.unit_id == world.rivera.unit_id
    assert lead.reference.startswith("L-")
    assert lead.grading_scale == "5x5x5"


def test_grading_outside_scale_is_rejected(world: LeadWorld) -> None:
    with transaction(world.factory) as session, pytest.raises(ValidationFailed) as raised:
        service.create_lead(
            session,
            world.ctx(world.rivera),
            world.settings,
            channel="partner_agency",
            facts=LeadFacts(title="Partner report"),
            grading=Grading(scale="admiralty", source="G", information="7"),
        )
    assert set(raised.value.errors) == {"source_grade", "information_grade"}


def test_administrator_records_no_leads(world: LeadWorld) -> None:
    with transaction(world.factory) as session, pytest.raises(PermissionDenied):
        service.create_lead(
            session, world.ctx(world.admin), world.settings, channel="phone", facts=LeadFacts(title="x")
        )


def test_public_tip_visible_to_triage_only(world: LeadWorld) -> None:
    receipt = world.submit("Suspicious deliveries at the warehouse on Dock Road every night.")
    reference = receipt.lead.reference
    with transaction(world.factory) as session:
        clerk_page = list_queue(session, world.ctx(world.clerk))
        okafor_page = list_queue(session, world.ctx(world.okafor))
    assert clerk_page.total == 1
    assert okafor_page.total == 0
    with transaction(world.factory) as session, pytest.raises(Hidden):
        lead_view(session, world.ctx(world.okafor), reference)


def test_assignee_sees_assigned_lead(world: LeadWorld) -> None:
    receipt = world.submit("Suspicious deliveries at the warehouse on Dock Road every night.")
    with transaction(world.factory) as session:
        lead = service.assign(session, world.ctx(world.supervisor), receipt.lead.reference, username="okafor")
    assert lead.status == "assigned"
    with transaction(world.factory) as session:
        page = list_queue(session, world.ctx(world.okafor))
    assert [item.lead.reference for item in page.items] == [receipt.lead.reference]


def test_assign_emits_changed_assignee(world: LeadWorld) -> None:
    receipt = world.submit("Suspicious deliveries at the warehouse on Dock Road every night.")
    with transaction(world.factory) as session:
        service.assign(session, world.ctx(world.clerk), receipt.lead.reference, username="rivera")
    with transaction(world.factory) as session:
        events = (
            session.query(OutboxEvent)
            .filter(OutboxEvent.object_type == "lead")
            .order_by(OutboxEvent.seq)
            .all()
        )
    assert [event.operation for event in events] == ["create", "update"]
    assert "assignee" in events[-1].payload["changed"]


def test_investigator_cannot_triage(world: LeadWorld) -> None:
    receipt = world.submit("Suspicious deliveries at the warehouse on Dock Road every night.")
    with transaction(world.factory) as session:
        service.assign(session, world.ctx(world.clerk), receipt.lead.reference, username="rivera")
    with transaction(world.factory) as session, pytest.raises(PermissionDenied):
        service.assign(session, world.ctx(world.rivera), receipt.lead.reference, username="okafor")


def test_close_needs_reason(world: LeadWorld) -> None:
    receipt = world.submit("Suspicious deliveries at the warehouse on Dock Road every night.")
    with transaction(world.factory) as session, pytest.raises(ValidationFailed) as raised:
        service.change_status(
            session, world.ctx(world.clerk), receipt.lead.reference, to_status="closed", reason="dup"
        )
    assert "close_reason" in raised.value.errors


def test_assignee_actions_and_closes(world: LeadWorld) -> None:
    receipt = world.submit("Suspicious deliveries at the warehouse on Dock Road every night.")
    reference = receipt.lead.reference
    with transaction(world.factory) as session:
        service.assign(session, world.ctx(world.clerk), reference, username="rivera")
    with transaction(world.factory) as session:
        service.change_status(
            session, world.ctx(world.rivera), reference, to_status="actioned", reason="visited"
        )
    with transaction(world.factory) as session:
        lead = service.change_status(
            session,
            world.ctx(world.rivera),
            reference,
            to_status="closed",
            reason="nothing found",
            close_reason="no_further_action",
        )
    assert lead.status == "closed"
    assert lead.close_reason == "no_further_action"
    with transaction(world.factory) as session:
        view = lead_view(session, world.ctx(world.clerk), reference)
        steps = [(row.from_status, row.to_status) for row in view.history]
    assert steps == [(None, "new"), ("new", "assigned"), ("assigned", "actioned"), ("actioned", "closed")]


def test_invalid_transition_is_rejected(world: LeadWorld) -> None:
    receipt = world.submit("Suspicious deliveries at the warehouse on Dock Road every night.")
    with transaction(world.factory) as session, pytest.raises(InvalidTransition):
        service.change_status(
            session, world.ctx(world.clerk), receipt.lead.reference, to_status="actioned", reason="done"
        )


def test_queue_sorts_by_priority_and_filters_overdue(world: LeadWorld) -> None:
    low = _internal(world, "Low one", "low")
    urgent = _internal(world, "Urgent one", "urgent")
    with transaction(world.factory) as session:
        # The two leads share their text, so grouping changed the first one's version.
        current = session.get(Lead, low.id)
        assert current is not None
        service.update_lead(
            session,
            world.ctx(world.supervisor),
            world.settings,
            low.reference,
            service.LeadUpdate(due_at=low.received_at.replace(year=2020)),
            expected_version=current.version,
        )
    with transaction(world.factory) as session:
        ordered = list_queue(session, world.ctx(world.supervisor))
        overdue = list_queue(session, world.ctx(world.supervisor), QueueFilter(overdue=True))
    assert [item.lead.reference for item in ordered.items] == [urgent.reference, low.reference]
    assert [item.lead.reference for item in overdue.items] == [low.reference]
    assert overdue.items[0].overdue is True


def test_assignee_cannot_change_priority(world: LeadWorld) -> None:
    lead = _internal(world)
    with transaction(world.factory) as session:
        service.assign(session, world.ctx(world.clerk), lead.reference, username="okafor")
    with transaction(world.factory) as session:
        current = session.get(Lead, lead.id)
        assert current is not None
        version = current.version
    with transaction(world.factory) as session, pytest.raises(PermissionDenied):
        service.update_lead(
            session,
            world.ctx(world.okafor),
            world.settings,
            lead.reference,
            service.LeadUpdate(priority="urgent"),
            expected_version=version,
        )

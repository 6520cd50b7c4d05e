"""A lead assigned to a person reaches that person and no other user."""

from __future__ import annotations

from casetrail.db.engine import transaction
from casetrail.leads import service as lead_service
from casetrail.leads.fields import LeadFacts
from tests.factories import make_user
from tests.notifications.conftest import World


def _lead_assigned_to(world: World, username: str) -> str:
    supervisor = make_user(world.factory, "chen", role="supervisor", unit="Unit A")
    with transaction(world.factory) as session:
        lead = lead_service.create_lead(
            session,
            world.ctx(supervisor),
            world.settings,
            channel="phone",
            facts=LeadFacts(title="Van parked for days", body="A caller reports a white van."),
        )
        reference = lead.reference
    with transaction(world.factory) as session:
        lead_service.assign(
            session, world.ctx(supervisor), reference, username=username, reason="local knowledge"
        )
    return reference


def test_assigned_lead_notifies_assignee(world: World) -> None:
    reference = _lead_assigned_to(world, "carol")
    world.sync()
    carol = world.notifications(world.carol)
    assert [row.kind for row in carol] == ["lead_assigned"]
    assert carol[0].title == f"Lead {reference} assigned to you"
    assert carol[0].link == f"/leads/{reference}"
    assert "Van" not in carol[0].title
    assert world.kinds(world.bob) == []
    assert world.kinds(world.alice) == []

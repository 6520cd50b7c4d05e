"""A lead assigned to a person reaches that person and no other user."""

from __future__ import annotations

from sqlalchemy import select

from casetrail.auth.models import User
from casetrail.db.engine import transaction
from casetrail.leads import service as lead_service
from casetrail.leads.fields import LeadFacts
from casetrail.notifications import service
from casetrail.notifications.mail import WITHDRAWN, send_pending
from casetrail.notifications.models import EmailDelivery
from tests.factories import make_user
from tests.notifications.conftest import World
from tests.support.smtp import SmtpServer


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


def _reassign(world: World, reference: str, username: str) -> None:
    with transaction(world.factory) as session:
        supervisor = session.execute(select(User).where(User.username == "chen")).scalar_one()
        lead_service.assign(session, world.ctx(supervisor), reference, username=username, reason="workload")
    world.sync()


def test_reassigned_lead_leaves_old_list(world: World) -> None:
    reference = _lead_assigned_to(world, "carol")
    world.sync()
    _reassign(world, reference, "alice")
    with transaction(world.factory) as session:
        carol = service.list_notifications(session, world.ctx(world.carol))
        carol_unread = service.unread_count(session, world.ctx(world.carol).actor)
        carol_stream = service.notifications_after(session, world.ctx(world.carol).actor, 0)
        alice = service.list_notifications(session, world.ctx(world.alice))
    assert carol == []
    assert carol_unread == 0
    assert carol_stream == []
    assert [row.title for row in alice] == [f"Lead {reference} assigned to you"]


def test_reassigned_lead_is_not_mailed(world: World, smtp: SmtpServer) -> None:
    reference = _lead_assigned_to(world, "carol")
    world.sync()
    _reassign(world, reference, "alice")
    run = send_pending(world.factory, world.settings)
    assert run.withdrawn == 1
    assert run.sent == 1
    assert smtp.mailbox.recipients == [["alice@agency.example"]]
    with transaction(world.factory) as session:
        statuses = {
            row.address: (row.status, row.last_error)
            for row in session.execute(select(EmailDelivery)).scalars()
        }
    assert statuses["carol@agency.example"] == ("failed", WITHDRAWN)
    assert statuses["alice@agency.example"] == ("sent", None)


def test_lost_clearance_hides_lead_notification(world: World, smtp: SmtpServer) -> None:
    _lead_assigned_to(world, "carol")
    world.sync()
    with transaction(world.factory) as session:
        carol = session.get_one(User, world.carol.id)
        carol.clearance = "unclassified"
    with transaction(world.factory) as session:
        carol = session.get_one(User, world.carol.id)
        listed = service.list_notifications(session, world.ctx(carol))
    run = send_pending(world.factory, world.settings)
    assert listed == []
    assert run.withdrawn == 1
    assert smtp.mailbox.messages == []

"""Deconfliction notices, evidence releases and preferences, end to end through the follower."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.cases import tasks as task_service
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.evidence import custody, items
from casetrail.evidence.events import Handover
from casetrail.evidence.items import NewItem
from casetrail.notifications import service
from casetrail.notifications.follower import follow_until_caught_up
from casetrail.notifications.kinds import NotificationKind
from casetrail.notifications.models import EmailDelivery
from casetrail.notifications.preferences import get_preferences, set_preferences
from casetrail.notifications.writer import Choice
from casetrail.xref.follower import follow_until_caught_up as run_xref
from tests.factories import context_for
from tests.notifications.conftest import World
from tests.xref.scenario import build_scenario

SEIZED_AT = datetime(2026, 3, 14, 6, 30, tzinfo=UTC)


def _new_item(world: World) -> str:
    with transaction(world.factory) as session:
        view = items.create_item(
            session,
            world.ctx(world.alice),
            world.number,
            NewItem(
                description="Black smartphone",
                category="device",
                obtained_at=SEIZED_AT,
                obtained_method="search warrant",
                obtained_place="kitchen",
                seal_number="S-1001",
            ),
        )
        return view.item.number


def _release(world: World, item_number: str) -> None:
    with transaction(world.factory) as session:
        custody.release(
            session,
            world.ctx(world.alice),
            world.number,
            item_number,
            receiver="carol",
            purpose="storage",
            handover=Handover(location="HQ"),
        )


def _choose(world: World, kind: NotificationKind, *, in_app: bool, email: bool) -> None:
    with transaction(world.factory) as session:
        set_preferences(session, world.ctx(world.carol), world.settings, {kind: Choice(in_app, email)})


def _assign(world: World) -> None:
    with transaction(world.factory) as session:
        task_service.add_task(
            session, world.ctx(world.alice), world.number, title="Call back", assignee="carol"
        )


def test_release_notifies_receiver(world: World) -> None:
    item_number = _new_item(world)
    _release(world, item_number)
    world.sync()
    carol = world.notifications(world.carol)
    assert [row.kind for row in carol] == ["evidence_awaiting"]
    assert carol[0].link == f"/cases/2026-0142/evidence/{item_number}"
    assert world.kinds(world.alice) == []
    assert world.kinds(world.bob) == []


def test_accepted_release_notifies_nobody(world: World) -> None:
    item_number = _new_item(world)
    _release(world, item_number)
    with transaction(world.factory) as session:
        custody.accept(session, world.ctx(world.carol), world.number, item_number, handover=Handover())
    world.sync()
    assert world.kinds(world.carol) == []


def test_notice_notifies_its_recipient(factory: sessionmaker[Session], mail_settings: Settings) -> None:
    scenario = build_scenario(factory, follow=False)
    run_xref(factory)
    follow_until_caught_up(factory, mail_settings)
    with transaction(factory) as session:
        rivera = service.list_notifications(session, context_for(scenario.rivera))
        okafor = service.list_notifications(session, context_for(scenario.okafor))
        chen = service.list_notifications(session, context_for(scenario.supervisor))
    assert [row.kind for row in rivera] == ["deconfliction"]
    assert rivera[0].title == "Deconfliction notice in 2026-0142"
    assert [row.kind for row in okafor] == ["deconfliction"]
    assert okafor[0].title == "Deconfliction notice in 2025-0911"
    assert chen == []


def test_both_switches_off_creates_nothing(world: World) -> None:
    _choose(world, NotificationKind.TASK_ASSIGNED, in_app=False, email=False)
    _assign(world)
    world.sync()
    assert world.kinds(world.carol) == []


def test_email_only_is_not_listed(world: World) -> None:
    _choose(world, NotificationKind.TASK_ASSIGNED, in_app=False, email=True)
    _assign(world)
    world.sync()
    with transaction(world.factory) as session:
        listed = service.list_notifications(session, world.ctx(world.carol))
        deliveries = list(session.execute(select(EmailDelivery.address)).scalars())
    assert listed == []
    assert deliveries == ["carol@agency.example"]


def test_in_app_only_queues_no_email(world: World) -> None:
    _choose(world, NotificationKind.TASK_ASSIGNED, in_app=True, email=False)
    _assign(world)
    world.sync()
    with transaction(world.factory) as session:
        deliveries = list(session.execute(select(EmailDelivery)).scalars())
    assert world.kinds(world.carol) == ["task_assigned"]
    assert deliveries == []


def test_defaults_leave_fact_email_off(world: World) -> None:
    with transaction(world.factory) as session:
        preferences = get_preferences(session, world.ctx(world.carol), world.settings)
    choices = {choice.kind: choice for choice in preferences.choices}
    assert choices[NotificationKind.CASE_FACT].email is False
    assert choices[NotificationKind.TASK_ASSIGNED].email is True
    assert all(choice.in_app for choice in preferences.choices)


def test_mark_read_lowers_unread_count(world: World) -> None:
    _assign(world)
    world.sync()
    notification = world.notifications(world.carol)[0]
    with transaction(world.factory) as session:
        before = service.unread_count(session, world.ctx(world.carol).actor)
        service.mark_read(session, world.ctx(world.carol), notification.id)
        after = service.unread_count(session, world.ctx(world.carol).actor)
    assert before == 1
    assert after == 0

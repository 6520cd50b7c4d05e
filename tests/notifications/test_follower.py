"""The follower turns outbox events into notifications for the right users only."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from casetrail.auth.context import operator_context
from casetrail.cases import tasks as task_service
from casetrail.cases.members import remove_member
from casetrail.core.clock import utcnow
from casetrail.db.engine import transaction
from casetrail.db.outbox import OutboxCursor
from casetrail.entities import service as entity_service
from casetrail.entities.statements import Source, SourceType
from casetrail.notifications.follower import check_due_tasks, follow_until_caught_up
from casetrail.notifications.follows import follow_case
from casetrail.notifications.writer import CONSUMER
from tests.notifications.conftest import World


def _add_task(world: World, assignee: str | None, *, due: date | None = None, by: str = "alice") -> str:
    author = {"alice": world.alice, "carol": world.carol}[by]
    with transaction(world.factory) as session:
        task = task_service.add_task(
            session,
            world.ctx(author),
            world.number,
            title="Interview the neighbour",
            assignee=assignee,
            due_date=due,
        )
        return task.id


def _add_person(world: World, by: str = "alice") -> str:
    author = {"alice": world.alice, "carol": world.carol}[by]
    with transaction(world.factory) as session:
        view = entity_service.create_entity(
            session,
            world.ctx(author),
            world.number,
            schema="Person",
            properties={"name": ["Jane Roe"]},
            source=Source(SourceType.MANUAL),
        )
        return str(view.record.entity_id)


def test_task_assignment_notifies_assignee(world: World) -> None:
    _add_task(world, "carol")
    world.sync()
    notifications = world.notifications(world.carol)
    assert [row.kind for row in notifications] == ["task_assigned"]
    assert notifications[0].title == "Task assigned in 2026-0142"
    assert world.kinds(world.alice) == []
    assert world.kinds(world.bob) == []


def test_title_holds_no_task_content(world: World) -> None:
    _add_task(world, "carol")
    world.sync()
    notification = world.notifications(world.carol)[0]
    assert "neighbour" not in notification.title
    assert "Elm" not in notification.title


def test_own_task_notifies_nobody(world: World) -> None:
    _add_task(world, "alice")
    world.sync()
    assert world.kinds(world.alice) == []


def test_reassignment_notifies_new_assignee(world: World) -> None:
    task_id = _add_task(world, None)
    world.sync()
    assert world.kinds(world.carol) == []
    with transaction(world.factory) as session:
        task_service.update_task(
            session,
            world.ctx(world.alice),
            world.number,
            task_id,
            expected_version=1,
            changes={"assignee": "carol"},
        )
    world.sync()
    assert world.kinds(world.carol) == ["task_assigned"]


def test_status_change_notifies_nobody(world: World) -> None:
    task_id = _add_task(world, "carol")
    world.sync()
    with transaction(world.factory) as session:
        task_service.update_task(
            session,
            world.ctx(world.alice),
            world.number,
            task_id,
            expected_version=1,
            changes={"status": "done"},
        )
    world.sync()
    assert world.kinds(world.carol) == ["task_assigned"]


def test_replayed_events_create_nothing_new(world: World) -> None:
    _add_task(world, "carol")
    world.sync()
    with transaction(world.factory) as session:
        session.execute(update(OutboxCursor).where(OutboxCursor.consumer == CONSUMER).values(last_seq=0))
    replay = follow_until_caught_up(world.factory, world.settings)
    assert replay.events > 0
    assert replay.notifications == 0
    assert world.kinds(world.carol) == ["task_assigned"]


def test_due_task_notifies_once(world: World) -> None:
    _add_task(world, "carol", due=date(2026, 3, 1))
    world.sync()
    created = check_due_tasks(world.factory, world.settings, today=date(2026, 3, 1), force=True)
    again = check_due_tasks(world.factory, world.settings, today=date(2026, 3, 2), force=True)
    assert created == 1
    assert again == 0
    assert world.kinds(world.carol) == ["task_assigned", "task_due"]


def test_task_not_yet_due_notifies_nobody(world: World) -> None:
    _add_task(world, "carol", due=utcnow().date() + timedelta(days=3))
    created = check_due_tasks(world.factory, world.settings, force=True)
    assert created == 0


def test_due_check_waits_between_runs(world: World) -> None:
    _add_task(world, "carol", due=date(2026, 3, 1))
    check_due_tasks(world.factory, world.settings, today=date(2026, 2, 1))
    skipped = check_due_tasks(world.factory, world.settings, today=date(2026, 3, 1))
    assert skipped == 0


def test_new_fact_notifies_followers_only(world: World) -> None:
    with transaction(world.factory) as session:
        follow_case(session, world.ctx(world.carol), world.number)
    _add_person(world, by="alice")
    world.sync()
    carol = world.notifications(world.carol)
    assert [row.kind for row in carol] == ["case_fact"]
    assert carol[0].link == "/cases/2026-0142"
    assert world.kinds(world.alice) == []
    assert world.kinds(world.bob) == []


def test_own_fact_notifies_nobody(world: World) -> None:
    with transaction(world.factory) as session:
        follow_case(session, world.ctx(world.carol), world.number)
    _add_person(world, by="carol")
    world.sync()
    assert world.kinds(world.carol) == []


def test_unread_fact_notification_absorbs_more(world: World) -> None:
    with transaction(world.factory) as session:
        follow_case(session, world.ctx(world.carol), world.number)
    _add_person(world)
    world.sync()
    _add_person(world)
    world.sync()
    assert world.kinds(world.carol) == ["case_fact"]


def test_follower_without_access_hears_nothing(world: World) -> None:
    with transaction(world.factory) as session:
        follow_case(session, world.ctx(world.carol), world.number)
    with transaction(world.factory) as session:
        remove_member(session, operator_context(), world.number, username="carol")
    _add_person(world)
    world.sync()
    assert world.kinds(world.carol) == []

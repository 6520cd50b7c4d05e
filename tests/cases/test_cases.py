"""Cases: numbering, status workflow with who and why, versions, members, notes and tasks."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from casetrail.cases import members, notes, service, tasks
from casetrail.cases.models import Case
from casetrail.core.errors import (
    Conflict,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
    VersionConflict,
)
from casetrail.db.engine import transaction
from tests.factories import context_for, make_case, make_user


def test_numbers_follow_year_sequence(factory: sessionmaker[Session]) -> None:
    make_user(factory, "alice")
    first = make_case(factory, "alice")
    second = make_case(factory, "alice")
    year, sequence = first.number.split("-")
    assert len(sequence) == 4
    assert second.number == f"{year}-{int(sequence) + 1:04d}"


def test_duplicate_number_rejected(factory: sessionmaker[Session]) -> None:
    make_user(factory, "alice")
    make_case(factory, "alice", number="2026-0142")
    with pytest.raises(Conflict, match="2026-0142"):
        make_case(factory, "alice", number="2026-0142")


def test_status_change_records_who_and_why(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    with transaction(factory) as session:
        changed = service.change_status(
            session,
            context_for(alice),
            case.number,
            to_status="active",
            reason="surveillance started",
            expected_version=case.version,
        )
        history = service.status_history(session, changed)
    assert changed.status == "active"
    assert [(step.from_status, step.to_status) for step in history] == [(None, "open"), ("open", "active")]
    assert history[-1].changed_by == "alice"
    assert history[-1].reason == "surveillance started"


@pytest.mark.parametrize(
    ("path", "target"),
    [(["active"], "open"), ([], "archived"), (["closed", "archived"], "active")],
)
def test_invalid_transition_rejected(factory: sessionmaker[Session], path: list[str], target: str) -> None:
    make_user(factory, "sam", role="supervisor")
    lead = make_user(factory, "alice")
    case = make_case(factory, "alice")
    supervisor = make_user(factory, "sue", role="supervisor")
    version = case.version
    for status in path:
        with transaction(factory) as session:
            version = service.change_status(
                session,
                context_for(supervisor),
                case.number,
                to_status=status,
                reason="step",
                expected_version=version,
            ).version
    with transaction(factory) as session, pytest.raises(InvalidTransition, match=f"to {target}"):
        service.change_status(
            session,
            context_for(lead),
            case.number,
            to_status=target,
            reason="try",
            expected_version=version,
        )


def test_reopen_needs_supervisor(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    with transaction(factory) as session:
        closed = service.change_status(
            session,
            context_for(alice),
            case.number,
            to_status="closed",
            reason="charged",
            expected_version=case.version,
        )
    with transaction(factory) as session, pytest.raises(PermissionDenied, match="supervisor"):
        service.change_status(
            session,
            context_for(alice),
            case.number,
            to_status="active",
            reason="new lead",
            expected_version=closed.version,
        )
    supervisor = make_user(factory, "sue", role="supervisor")
    with transaction(factory) as session:
        reopened = service.change_status(
            session,
            context_for(supervisor),
            case.number,
            to_status="active",
            reason="new lead",
            expected_version=closed.version,
        )
    assert reopened.status == "active"


def test_status_change_needs_reason(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    with transaction(factory) as session, pytest.raises(ValidationFailed) as raised:
        service.change_status(
            session,
            context_for(alice),
            case.number,
            to_status="active",
            reason="  ",
            expected_version=case.version,
        )
    assert raised.value.errors == {"reason": "missing"}


def test_stale_expected_version_conflicts(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    with transaction(factory) as session:
        service.update_case(
            session,
            context_for(alice),
            case.number,
            expected_version=case.version,
            changes={"title": "First edit"},
        )
    with transaction(factory) as session, pytest.raises(VersionConflict) as raised:
        service.update_case(
            session,
            context_for(alice),
            case.number,
            expected_version=case.version,
            changes={"title": "Second edit from a stale form"},
        )
    assert raised.value.expected == case.version
    assert raised.value.actual == case.version + 1
    with transaction(factory) as session:
        assert service.get_case(session, context_for(alice), case.number).case.title == "First edit"


def test_concurrent_update_detected_at_flush(factory: sessionmaker[Session]) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice")

    # The first writer reads the case, then another transaction changes it before the
    # first writer saves: the version in the UPDATE's WHERE clause no longer matches.
    reader = factory()
    stale = reader.get(Case, case.id)
    assert stale is not None
    reader.expunge(stale)
    reader.close()
    with transaction(factory) as session:
        row = session.get(Case, case.id)
        assert row is not None
        row.title = "edited by the second writer"

    writer = factory()
    writer.add(stale)
    stale.title = "edited by the first writer"
    with pytest.raises(StaleDataError):
        writer.flush()
    writer.rollback()
    writer.close()
    with transaction(factory) as session:
        stored = session.get(Case, case.id)
        assert stored is not None
        assert stored.title == "edited by the second writer"


def test_member_roles_and_lead_change(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    make_user(factory, "carol", role="analyst")
    make_user(factory, "dave")
    case = make_case(factory, "alice")
    ctx = context_for(alice)
    with transaction(factory) as session:
        members.add_member(session, ctx, case.number, username="carol", role="analyst")
        members.add_member(session, ctx, case.number, username="dave", role="lead")
    with transaction(factory) as session:
        roles = {m.username: m.role for m in members.list_members(session, ctx, case.number)}
    assert roles == {"alice": "investigator", "carol": "analyst", "dave": "lead"}


def test_admin_cannot_be_member(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    make_user(factory, "root", role="administrator")
    case = make_case(factory, "alice")
    with transaction(factory) as session, pytest.raises(PermissionDenied, match="administrator"):
        members.add_member(session, context_for(alice), case.number, username="root", role="viewer")


def test_viewer_cannot_add_note(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    viewer = make_user(factory, "vic", role="analyst")
    case = make_case(factory, "alice")
    with transaction(factory) as session:
        members.add_member(session, context_for(alice), case.number, username="vic", role="viewer")
    with transaction(factory) as session:
        assert notes.list_notes(session, context_for(viewer), case.number) == []
    with transaction(factory) as session, pytest.raises(PermissionDenied):
        notes.add_note(session, context_for(viewer), case.number, "not allowed")


def test_closed_case_is_read_only(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    with transaction(factory) as session:
        service.change_status(
            session,
            context_for(alice),
            case.number,
            to_status="closed",
            reason="done",
            expected_version=case.version,
        )
    with transaction(factory) as session, pytest.raises(Conflict, match="read-only"):
        notes.add_note(session, context_for(alice), case.number, "late note")


def test_task_assignee_must_be_member(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    make_user(factory, "bob", unit="Unit B")
    case = make_case(factory, "alice")
    with transaction(factory) as session:
        task = tasks.add_task(
            session,
            context_for(alice),
            case.number,
            title="Pull phone records",
            assignee="alice",
            due_date=date(2027, 1, 15),
        )
    assert task.status == "open"
    assert task.due_date == date(2027, 1, 15)
    with transaction(factory) as session, pytest.raises(ValidationFailed) as raised:
        tasks.add_task(session, context_for(alice), case.number, title="x", assignee="bob")
    assert "assignee" in raised.value.errors


def test_task_update_checks_version(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    with transaction(factory) as session:
        task = tasks.add_task(session, context_for(alice), case.number, title="Canvass")
    with transaction(factory) as session:
        done = tasks.update_task(
            session,
            context_for(alice),
            case.number,
            task.id,
            expected_version=task.version,
            changes={"status": "done"},
        )
    assert done.status == "done"
    with transaction(factory) as session, pytest.raises(VersionConflict):
        tasks.update_task(
            session,
            context_for(alice),
            case.number,
            task.id,
            expected_version=task.version,
            changes={"status": "cancelled"},
        )

"""Need-to-know: who sees which case, decided by auth.policy for every interface."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.service import list_records
from casetrail.auth import service as auth_service
from casetrail.auth.context import operator_context
from casetrail.auth.models import Unit
from casetrail.cases import members, notes, service
from casetrail.core.errors import Hidden, NotFound, PermissionDenied
from casetrail.db.engine import transaction
from tests.factories import context_for, make_case, make_user


def _visible(factory: sessionmaker[Session], user: object) -> set[str]:
    with transaction(factory) as session:
        page = service.list_cases(session, context_for(user))  # type: ignore[arg-type]
        return {case.number for case in page.items}


def test_member_sees_only_own_cases(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice", unit="Unit A")
    bob = make_user(factory, "bob", unit="Unit B")
    alpha = make_case(factory, "alice")
    bravo = make_case(factory, "bob")
    assert _visible(factory, alice) == {alpha.number}
    assert _visible(factory, bob) == {bravo.number}


def test_hidden_case_reads_as_missing(factory: sessionmaker[Session]) -> None:
    make_user(factory, "alice", unit="Unit A")
    bob = make_user(factory, "bob", unit="Unit B")
    alpha = make_case(factory, "alice")
    with transaction(factory) as session, pytest.raises(Hidden) as hidden:
        service.get_case(session, context_for(bob), alpha.number)
    with transaction(factory) as session, pytest.raises(NotFound) as missing:
        service.get_case(session, context_for(bob), "1999-9999")
    assert str(hidden.value) == f"case {alpha.number} not found"
    assert str(missing.value) == "case 1999-9999 not found"


def test_supervisor_sees_unit_and_subunits(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        auth_service.create_unit(session, operator_context(), "Division")
        auth_service.create_unit(session, operator_context(), "Squad 1", parent_name="Division")
        auth_service.create_unit(session, operator_context(), "Other Division")
    make_user(factory, "alice", unit="Squad 1")
    make_user(factory, "bob", unit="Other Division")
    chief = make_user(factory, "chief", role="supervisor", unit="Division")
    outsider = make_user(factory, "olga", role="supervisor", unit="Other Division")
    squad_case = make_case(factory, "alice")
    other_case = make_case(factory, "bob")
    assert _visible(factory, chief) == {squad_case.number}
    assert _visible(factory, outsider) == {other_case.number}
    with transaction(factory) as session:
        units = {unit.name: unit.parent_id for unit in session.execute(select(Unit)).scalars()}
    assert units["Squad 1"] is not None


def test_clearance_below_label_hides_case(factory: sessionmaker[Session]) -> None:
    make_user(factory, "alice", clearance="secret")
    low = make_user(factory, "lou", role="supervisor", clearance="restricted")
    secret_case = make_case(factory, "alice", sensitivity="secret")
    open_case = make_case(factory, "alice", sensitivity="restricted")
    assert _visible(factory, low) == {open_case.number}
    with transaction(factory) as session, pytest.raises(Hidden):
        service.get_case(session, context_for(low), secret_case.number)


def test_member_below_label_rejected(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice", clearance="secret")
    make_user(factory, "lou", clearance="restricted")
    case = make_case(factory, "alice", sensitivity="secret")
    with transaction(factory) as session, pytest.raises(Exception, match="cleared to restricted"):
        members.add_member(session, context_for(alice), case.number, username="lou", role="viewer")


@pytest.mark.parametrize("role", ["administrator", "auditor"])
def test_admin_and_auditor_see_no_content(factory: sessionmaker[Session], role: str) -> None:
    make_user(factory, "alice")
    staff = make_user(factory, "staff", role=role, unit="Unit A")
    case = make_case(factory, "alice")
    assert _visible(factory, staff) == set()
    with transaction(factory) as session, pytest.raises(Hidden):
        notes.list_notes(session, context_for(staff), case.number)


def test_non_member_cannot_manage(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    carol = make_user(factory, "carol", role="analyst")
    case = make_case(factory, "alice")
    with transaction(factory) as session:
        members.add_member(session, context_for(alice), case.number, username="carol", role="analyst")
    with transaction(factory) as session, pytest.raises(PermissionDenied):
        members.add_member(session, context_for(carol), case.number, username="carol", role="lead")


def test_reads_are_audited(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    with transaction(factory) as session:
        service.get_case(session, context_for(alice), case.number)
        notes.list_notes(session, context_for(alice), case.number)
    with transaction(factory) as session:
        records = list_records(session, case_id=case.id, actor_id=alice.id)
    assert [record.action for record in records] == ["case.read", "note.read"]
    assert records[0].client_addr == "127.0.0.1"
    assert records[0].request_id == "test-request"

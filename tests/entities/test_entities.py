"""Entities as statements: provenance, isolation between cases, references, merge and undo."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.cases import notes
from casetrail.core.errors import Conflict, Hidden, ValidationFailed, VersionConflict
from casetrail.db.engine import transaction
from casetrail.entities import merge, service
from casetrail.entities.models import Statement
from casetrail.entities.statements import Source, SourceType
from tests.factories import context_for, make_case, make_user

MANUAL = Source(SourceType.MANUAL)


def test_facts_carry_provenance(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    ctx = context_for(alice)
    with transaction(factory) as session:
        note = notes.add_note(session, ctx, case.number, "Interview with the neighbour")
        view = service.create_entity(
            session,
            ctx,
            case.number,
            schema="Person",
            properties={"name": ["Maria Osetrova"], "birthDate": ["1981-04-02"]},
            source=Source(SourceType.NOTE, note.id),
        )
    with transaction(factory) as session:
        read = service.get_entity(session, ctx, case.number, view.proxy.id)
    assert read.proxy.get("name") == ["Maria Osetrova"]
    assert {(s.prop, s.source_type, s.source_id, s.recorded_by) for s in read.statements} == {
        ("name", "note", note.id, "alice"),
        ("birthDate", "note", note.id, "alice"),
    }


def test_same_entity_two_cases_isolated(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice", unit="Unit A")
    bob = make_user(factory, "bob", unit="Unit B")
    alpha = make_case(factory, "alice")
    bravo = make_case(factory, "bob")
    with transaction(factory) as session:
        service.create_entity(
            session,
            context_for(alice),
            alpha.number,
            schema="Person",
            entity_id="person-1",
            properties={"name": ["John Doe"], "phone": ["+4930123456"]},
            source=MANUAL,
        )
        service.create_entity(
            session,
            context_for(bob),
            bravo.number,
            schema="Person",
            entity_id="person-1",
            properties={"name": ["Johnny D."], "email": ["jd@example.org"]},
            source=MANUAL,
        )
    with transaction(factory) as session:
        seen_by_alice = service.get_entity(session, context_for(alice), alpha.number, "person-1")
        seen_by_bob = service.get_entity(session, context_for(bob), bravo.number, "person-1")
    assert seen_by_alice.proxy.to_dict()["properties"] == {"name": ["John Doe"], "phone": ["+4930123456"]}
    assert seen_by_bob.proxy.to_dict()["properties"] == {"name": ["Johnny D."], "email": ["jd@example.org"]}
    with transaction(factory) as session, pytest.raises(Hidden):
        service.get_entity(session, context_for(bob), alpha.number, "person-1")


def test_invalid_value_names_property(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    with transaction(factory) as session, pytest.raises(ValidationFailed) as raised:
        service.create_entity(
            session,
            context_for(alice),
            case.number,
            schema="Person",
            properties={"name": ["X"], "birthDate": ["not a date"]},
            source=MANUAL,
        )
    assert list(raised.value.errors) == ["birthDate"]
    with transaction(factory) as session, pytest.raises(ValidationFailed) as raised:
        service.create_entity(
            session,
            context_for(alice),
            case.number,
            schema="Person",
            properties={"wingspan": ["2m"]},
            source=MANUAL,
        )
    assert list(raised.value.errors) == ["wingspan"]


def test_reference_must_match_range(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    ctx = context_for(alice)
    with transaction(factory) as session:
        person = service.create_entity(
            session, ctx, case.number, schema="Person", properties={"name": ["Ann"]}, source=MANUAL
        )
        address = service.create_entity(
            session, ctx, case.number, schema="Address", properties={"full": ["1 Main St"]}, source=MANUAL
        )
        company = service.create_entity(
            session, ctx, case.number, schema="Company", properties={"name": ["Acme Ltd"]}, source=MANUAL
        )
    with transaction(factory) as session, pytest.raises(ValidationFailed, match="must refer to"):
        service.create_entity(
            session,
            ctx,
            case.number,
            schema="Directorship",
            properties={"director": [address.proxy.id], "organization": [company.proxy.id]},
            source=MANUAL,
        )
    with transaction(factory) as session:
        link = service.create_entity(
            session,
            ctx,
            case.number,
            schema="Directorship",
            properties={"director": [person.proxy.id], "organization": [company.proxy.id]},
            source=MANUAL,
        )
        related = service.relationships(session, ctx, case.number, person.proxy.id)
    assert [(r.proxy.id, r.prop) for r in related] == [(link.proxy.id, "director")]
    assert related[0].others == {company.proxy.id: "Acme Ltd"}


def test_retract_keeps_history(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    ctx = context_for(alice)
    with transaction(factory) as session:
        view = service.create_entity(
            session, ctx, case.number, schema="Person", properties={"name": ["Ann", "Anne"]}, source=MANUAL
        )
    wrong = next(s for s in view.statements if s.value == "Anne")
    with transaction(factory) as session:
        after = service.retract_statement(
            session, ctx, case.number, wrong.id, reason="typo", expected_version=view.record.version
        )
    assert after.proxy.get("name") == ["Ann"]
    with transaction(factory) as session:
        stored = session.get(Statement, wrong.id)
        assert stored is not None
        assert stored.retracted_by == "alice"
        assert stored.retraction_reason == "typo"
    with transaction(factory) as session, pytest.raises(VersionConflict):
        service.add_statements(
            session,
            ctx,
            case.number,
            view.proxy.id,
            properties={"name": ["A."]},
            source=MANUAL,
            expected_version=view.record.version,
        )


def test_merge_and_undo_restore_facts(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice", unit="Unit A")
    bob = make_user(factory, "bob", unit="Unit B")
    alpha = make_case(factory, "alice")
    bravo = make_case(factory, "bob")
    ctx = context_for(alice)
    with transaction(factory) as session:
        kept = service.create_entity(
            session,
            ctx,
            alpha.number,
            schema="Person",
            entity_id="p-kept",
            properties={"name": ["Konstantin Abashkin"]},
            source=MANUAL,
        )
        dup = service.create_entity(
            session,
            ctx,
            alpha.number,
            schema="Person",
            entity_id="p-dup",
            properties={"name": ["K. Abashkin"], "phone": ["+74951234567"]},
            source=MANUAL,
        )
        service.create_entity(
            session,
            ctx,
            alpha.number,
            schema="Passport",
            properties={"holder": ["p-dup"], "number": ["7512345"]},
            source=MANUAL,
        )
        service.create_entity(
            session,
            context_for(bob),
            bravo.number,
            schema="Person",
            entity_id="p-dup",
            properties={"name": ["Other case fact"]},
            source=MANUAL,
        )

    with transaction(factory) as session:
        done = merge.merge_entities(
            session, ctx, alpha.number, winner_id=kept.proxy.id, loser_id=dup.proxy.id, reason="same passport"
        )
    with transaction(factory) as session:
        merged = service.get_entity(session, ctx, alpha.number, "p-kept")
        via_loser = service.get_entity(session, ctx, alpha.number, "p-dup")
        related = service.relationships(session, ctx, alpha.number, "p-kept")
        other_case = service.get_entity(session, context_for(bob), bravo.number, "p-dup")
    assert sorted(merged.proxy.get("name")) == ["K. Abashkin", "Konstantin Abashkin"]
    assert merged.proxy.get("phone") == ["+74951234567"]
    assert via_loser.proxy.id == "p-kept"
    assert via_loser.redirected_from == "p-dup"
    assert [r.proxy.schema.name for r in related] == ["Passport"]
    assert other_case.proxy.get("name") == ["Other case fact"]

    with transaction(factory) as session, pytest.raises(ValidationFailed, match="merged into"):
        service.add_statements(
            session, ctx, alpha.number, "p-dup", properties={"name": ["x"]}, source=MANUAL, expected_version=1
        )

    with transaction(factory) as session:
        merge.undo_merge(session, ctx, alpha.number, done.id, reason="different people")
    with transaction(factory) as session:
        restored_kept = service.get_entity(session, ctx, alpha.number, "p-kept")
        restored_dup = service.get_entity(session, ctx, alpha.number, "p-dup")
    assert restored_kept.proxy.get("name") == ["Konstantin Abashkin"]
    assert restored_kept.proxy.get("phone") == []
    assert restored_dup.redirected_from is None
    assert restored_dup.proxy.get("name") == ["K. Abashkin"]
    with transaction(factory) as session, pytest.raises(Conflict, match="already undone"):
        merge.undo_merge(session, ctx, alpha.number, done.id, reason="again")
    with transaction(factory) as session:
        moved_back = (
            session.execute(
                select(Statement.canonical_id).where(
                    Statement.entity_id == "p-dup", Statement.case_id == alpha.id
                )
            )
            .scalars()
            .all()
        )
    assert set(moved_back) == {"p-dup"}


def test_undo_blocked_while_winner_merged(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    ctx = context_for(alice)
    with transaction(factory) as session:
        for entity_id in ("a", "b", "c"):
            service.create_entity(
                session,
                ctx,
                case.number,
                schema="Person",
                entity_id=entity_id,
                properties={"name": [f"Person {entity_id}"]},
                source=MANUAL,
            )
    with transaction(factory) as session:
        first = merge.merge_entities(session, ctx, case.number, winner_id="b", loser_id="a", reason="r")
        merge.merge_entities(session, ctx, case.number, winner_id="c", loser_id="b", reason="r")
    with transaction(factory) as session:
        assert sorted(service.get_entity(session, ctx, case.number, "a").proxy.get("name")) == [
            "Person a",
            "Person b",
            "Person c",
        ]
    with transaction(factory) as session, pytest.raises(Conflict, match="undo that merge first"):
        merge.undo_merge(session, ctx, case.number, first.id, reason="r")

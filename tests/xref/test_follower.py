"""The follower end to end: index, match, candidates and deconfliction notices."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from casetrail.db.engine import transaction
from casetrail.db.outbox import OutboxEvent, get_cursor
from casetrail.exchange.ftm_import import import_ftm_file
from casetrail.xref.follower import CONSUMER, follow_until_caught_up, run_xref
from casetrail.xref.models import Candidate, MatchKey, Notice
from tests.factories import context_for, make_case
from tests.xref.scenario import (
    SHARED_PHONE,
    ZAKHAROV_ID,
    ZALA_FILE,
    add_zakharov,
    build_scenario,
    make_account,
)


def test_cross_case_match_creates_candidate(factory: sessionmaker[Session]) -> None:
    scenario = build_scenario(factory)
    with transaction(factory) as session:
        candidates = list(session.execute(select(Candidate)).scalars())
    assert len(candidates) == 1
    candidate = candidates[0]
    sides = {candidate.left_entity_id, candidate.right_entity_id}
    assert sides == {scenario.rivera_entity, scenario.okafor_entity}
    assert candidate.score >= 0.7
    assert "phone" in candidate.shared_keys
    assert "passportNumber" in candidate.shared_keys
    assert candidate.features


def test_notices_for_both_leads(factory: sessionmaker[Session]) -> None:
    scenario = build_scenario(factory)
    with transaction(factory) as session:
        notices = list(session.execute(select(Notice)).scalars())
    recipients = {notice.recipient_id for notice in notices}
    assert recipients == {scenario.rivera.id, scenario.okafor.id}
    kinds = sorted(notice.kind for notice in notices if notice.recipient_id == scenario.rivera.id)
    assert kinds == ["identifier", "match", "phone"]
    phone = next(n for n in notices if n.recipient_id == scenario.rivera.id and n.kind == "phone")
    assert phone.own_value == SHARED_PHONE
    assert phone.other_lead_name == "Sgt. Okafor"
    assert phone.other_unit_name == "Narcotics Unit 3"
    passport = next(n for n in notices if n.recipient_id == scenario.rivera.id and n.kind == "identifier")
    assert passport.label == "passport number"


def test_follower_advances_cursor_and_is_idempotent(factory: sessionmaker[Session]) -> None:
    build_scenario(factory)
    with transaction(factory) as session:
        cursor = get_cursor(session, CONSUMER)
        keys = session.execute(select(MatchKey)).scalars().all()
    assert cursor > 0
    assert len(keys) > 10
    again = run_xref(factory)
    assert again.events == 0


def test_import_matches_other_case(factory: sessionmaker[Session]) -> None:
    importer = make_account(factory, "imp", "Det. Ivers", "Unit B")
    agent = make_account(factory, "agent", "Agent Moss", "Unit C")
    imported = make_case(factory, "imp", title="Drone supply chain")
    other = make_case(factory, "agent", title="Payments")
    with transaction(factory) as session:
        import_ftm_file(session, context_for(importer), imported.number, ZALA_FILE, skip_invalid_values=True)
    entity_id = add_zakharov(factory, agent, other.number)
    run = follow_until_caught_up(factory)
    assert run.entities == 92
    assert run.failed == 0
    with transaction(factory) as session:
        notice = session.execute(
            select(Notice).where(Notice.recipient_id == agent.id, Notice.entity_id == entity_id)
        ).scalar_one()
    assert notice.kind == "match"
    assert notice.label == "person"
    assert notice.other_lead_name == "Det. Ivers"
    assert notice.other_entity_id == ZAKHAROV_ID


# A trigger makes the database reject the candidate of one entity: a real write failure in the
# middle of a batch, after the other entity of the batch was indexed.
_SQLITE_TRIGGER = """
CREATE TRIGGER reject_candidate BEFORE INSERT ON xref_candidate
WHEN NEW.left_entity_id = '{entity}' OR NEW.right_entity_id = '{entity}'
BEGIN SELECT RAISE(ABORT, 'candidate rejected by test trigger'); END
"""
_POSTGRESQL_FUNCTION = """
CREATE FUNCTION reject_candidate() RETURNS trigger AS $$
BEGIN
  IF NEW.left_entity_id = '{entity}' OR NEW.right_entity_id = '{entity}' THEN
    RAISE EXCEPTION 'candidate rejected by test trigger' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""
_POSTGRESQL_TRIGGER = (
    "CREATE TRIGGER reject_candidate BEFORE INSERT ON xref_candidate "
    "FOR EACH ROW EXECUTE FUNCTION reject_candidate()"
)


def _reject_candidates_of(engine: Engine, backend: str, entity_id: str) -> None:
    with engine.begin() as connection:
        if backend == "sqlite":
            connection.exec_driver_sql(_SQLITE_TRIGGER.format(entity=entity_id))
        else:
            connection.exec_driver_sql(_POSTGRESQL_FUNCTION.format(entity=entity_id))
            connection.exec_driver_sql(_POSTGRESQL_TRIGGER)


def _accept_candidates(engine: Engine, backend: str) -> None:
    with engine.begin() as connection:
        if backend == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER reject_candidate")
        else:
            connection.exec_driver_sql("DROP TRIGGER reject_candidate ON xref_candidate")
            connection.exec_driver_sql("DROP FUNCTION reject_candidate()")


def _count(factory: sessionmaker[Session], model: type[Any]) -> int:
    with transaction(factory) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_failed_batch_keeps_cursor(factory: sessionmaker[Session], engine: Engine, backend: str) -> None:
    scenario = build_scenario(factory, follow=False)
    _reject_candidates_of(engine, backend, scenario.rivera_entity)
    with pytest.raises(IntegrityError):
        run_xref(factory)
    with transaction(factory) as session:
        cursor = get_cursor(session, CONSUMER)
    assert cursor == 0
    assert _count(factory, MatchKey) == 0
    assert _count(factory, Candidate) == 0
    assert _count(factory, Notice) == 0


def test_failed_batch_replays_once(factory: sessionmaker[Session], engine: Engine, backend: str) -> None:
    scenario = build_scenario(factory, follow=False)
    _reject_candidates_of(engine, backend, scenario.rivera_entity)
    with pytest.raises(IntegrityError):
        follow_until_caught_up(factory)
    _accept_candidates(engine, backend)

    replayed = follow_until_caught_up(factory)
    again = follow_until_caught_up(factory)
    with transaction(factory) as session:
        cursor = get_cursor(session, CONSUMER)
        head = session.execute(select(func.max(OutboxEvent.seq))).scalar_one()
        keys = session.execute(select(MatchKey.case_id, MatchKey.entity_id, MatchKey.key)).all()
        kinds = sorted(
            session.execute(select(Notice.kind).where(Notice.recipient_id == scenario.rivera.id)).scalars()
        )
    assert replayed.failed == 0
    assert replayed.candidates == 1
    assert cursor == head
    assert again.events == 0
    assert len(keys) == len(set(keys))
    assert _count(factory, Candidate) == 1
    assert kinds == ["identifier", "match", "phone"]
    assert _count(factory, Notice) == 6

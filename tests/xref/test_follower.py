"""The follower end to end: index, match, candidates and deconfliction notices."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.db.engine import transaction
from casetrail.db.outbox import get_cursor
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

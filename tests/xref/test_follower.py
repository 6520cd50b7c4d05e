"""The follower end to end: index, match, candidates and deconfliction notices."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.db.engine import transaction
from casetrail.db.outbox import get_cursor
from casetrail.xref.follower import CONSUMER, run_xref
from casetrail.xref.models import Candidate, MatchKey, Notice
from tests.xref.scenario import SHARED_PHONE, build_scenario


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

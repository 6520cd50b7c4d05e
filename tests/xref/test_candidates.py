"""Storing candidates in bulk, as batch linkage does: new pairs inserted, known pairs refreshed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.db.engine import transaction
from casetrail.xref.candidates import ScoredPair, store_candidates
from casetrail.xref.index import Side
from casetrail.xref.models import Candidate
from tests.xref.scenario import Scenario, build_scenario


def _pair(one: Side, other: Side, score: float) -> ScoredPair:
    return ScoredPair(
        one=one,
        other=other,
        schema="Person",
        score=score,
        algorithm="splink",
        features={"match_weight": 3.2},
        shared_keys=["birth_date", "surname", "birth_date"],
        origin="batch",
    )


def _store(factory: sessionmaker[Session], scenario: Scenario) -> dict[str, Candidate]:
    known = _pair(
        Side(scenario.okafor_case.id, None, scenario.okafor_entity),
        Side(scenario.rivera_case.id, None, scenario.rivera_entity),
        0.91234,
    )
    new = _pair(
        Side(scenario.rivera_case.id, None, scenario.rivera_entity),
        Side(scenario.okafor_case.id, None, "person-new"),
        0.6,
    )
    with transaction(factory) as session:
        session.execute(select(Candidate)).scalar_one().status = "confirmed"
    with transaction(factory) as session:
        assert store_candidates(session, [known, new]) == 2
    with transaction(factory) as session:
        rows = session.execute(select(Candidate)).scalars().all()
        session.expunge_all()
    return {
        row.right_entity_id if row.right_entity_id != scenario.rivera_entity else row.left_entity_id: row
        for row in rows
    }


def test_store_refreshes_known_pair(factory: sessionmaker[Session]) -> None:
    scenario = build_scenario(factory)
    stored = _store(factory, scenario)
    known = stored[scenario.okafor_entity]
    assert len(stored) == 2
    assert known.score == 0.9123
    assert known.origin == "batch"
    assert known.status == "confirmed"
    assert known.shared_keys == ["birth_date", "surname"]


def test_store_inserts_new_pair(factory: sessionmaker[Session]) -> None:
    scenario = build_scenario(factory)
    new = _store(factory, scenario)["person-new"]
    assert new.status == "open"
    assert new.score == 0.6
    assert new.features == {"match_weight": 3.2}
    assert {new.left_case_id, new.right_case_id} == {scenario.rivera_case.id, scenario.okafor_case.id}
    assert new.right_watchlist_id is None

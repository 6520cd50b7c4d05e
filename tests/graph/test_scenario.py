"""The link chart's questions on a small case: the hub number, paths, dates, merges and timeline."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import RequestContext
from casetrail.db.engine import transaction
from casetrail.entities import service as entity_service
from casetrail.entities.merge import merge_entities
from casetrail.entities.statements import Source, SourceType
from casetrail.graph import service
from casetrail.graph.scope import GraphFilters, GraphTarget
from tests.factories import make_case
from tests.graph.scenario import CALLS_EACH, DIRECTOR_PHONE, OWNER_PHONE, Scenario, build_scenario

NUMBER = "2026-0142"


@pytest.fixture
def scenario(factory: sessionmaker[Session], analyst: RequestContext) -> Scenario:
    make_case(factory, "okafor", title="Night visits", number=NUMBER)
    return build_scenario(factory, analyst, NUMBER)


def test_hub_number_is_most_called(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    with transaction(factory) as session:
        answer = service.centrality(session, analyst, GraphTarget(NUMBER), limit=3)
    rows = {row.node.key: row for row in answer.value}
    assert rows[scenario.hub].edge_count == 2 * CALLS_EACH
    assert rows[scenario.hub].degree == 2


def test_hub_reaches_both_people_in_two_hops(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    with transaction(factory) as session:
        answer = service.neighbours(session, analyst, GraphTarget(NUMBER), starts=[scenario.hub], hops=2)
    depth = answer.value.depth
    assert depth[f"phone:{OWNER_PHONE}"] == 1
    assert depth[scenario.owner] == 2
    assert depth[scenario.director] == 2
    assert scenario.company not in depth


def test_shortest_path_between_people_runs_through_hub(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    with transaction(factory) as session:
        answer = service.paths(
            session, analyst, GraphTarget(NUMBER), source=scenario.owner, to=scenario.director
        )
    assert [path.nodes for path in answer.value.paths] == [
        [scenario.owner, f"phone:{OWNER_PHONE}", scenario.hub, f"phone:{DIRECTOR_PHONE}", scenario.director]
    ]
    assert len(answer.value.paths[0].edges[1]) == CALLS_EACH


def test_schema_filter_keeps_paths_off_phones(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    with transaction(factory) as session:
        answer = service.paths(
            session, analyst, GraphTarget(NUMBER), source=scenario.owner, to=scenario.director,
            filters=GraphFilters(schemata=["Person", "Company"]),
        )  # fmt: skip
    assert answer.value.paths == []


def test_date_range_hides_relationships_outside_it(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    before = GraphFilters(date_to="2018", include_undated=False)
    during = GraphFilters(date_from="2020-01-01", date_to="2020-12-31", include_undated=False)
    with transaction(factory) as session:
        early = service.neighbours(
            session, analyst, GraphTarget(NUMBER), starts=[scenario.director], filters=before
        )
        later = service.neighbours(
            session, analyst, GraphTarget(NUMBER), starts=[scenario.director], filters=during
        )
    assert scenario.company not in early.value.depth
    assert scenario.company in later.value.depth


def test_relation_filter_follows_named_relationships(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    with transaction(factory) as session:
        answer = service.neighbours(
            session, analyst, GraphTarget(NUMBER), starts=[scenario.director],
            filters=GraphFilters(relations=["Passport"]),
        )  # fmt: skip
    assert set(answer.value.depth) == {scenario.director, scenario.passport}


def test_merge_redirects_relationships_to_winner(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    with transaction(factory) as session:
        merge_entities(
            session, analyst, NUMBER, winner_id=scenario.director, loser_id=scenario.friend,
            reason="same person under an alias",
        )  # fmt: skip
    with transaction(factory) as session:
        answer = service.neighbours(session, analyst, GraphTarget(NUMBER), starts=[scenario.owner])
    keys = {node.key for node in answer.value.nodes}
    assert scenario.director in keys
    assert scenario.friend not in keys


def test_timeline_lists_dated_relationships_oldest_first(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    with transaction(factory) as session:
        answer = service.timeline(session, analyst, GraphTarget(NUMBER))
    items, truncated = answer.value
    assert truncated is False
    assert items[0].entity_id == "ownership-1"
    assert items[0].start == "2019-05-01"
    assert len([item for item in items if item.schema == "Call"]) == 2 * CALLS_EACH
    assert [item.start for item in items] == sorted(item.start or "" for item in items)


def test_timeline_date_range_keeps_ongoing_relationships(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    filters = GraphFilters(date_from="2026-02-01", date_to="2026-02-01")
    with transaction(factory) as session:
        answer = service.timeline(session, analyst, GraphTarget(NUMBER), filters=filters)
    items = answer.value[0]
    calls = [item for item in items if item.schema == "Call"]
    assert [item.entity_id for item in items if item.schema != "Call"] == ["ownership-1"]
    assert {item.start for item in calls} == {"2026-02-01"}
    assert len(calls) == 4


def test_graph_follows_later_changes(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    with transaction(factory) as session:
        before = service.neighbours(session, analyst, GraphTarget(NUMBER), starts=[scenario.company])
    with transaction(factory) as session:
        entity_service.create_entity(
            session, analyst, NUMBER, schema="Ownership",
            properties={"owner": [scenario.owner], "asset": [scenario.company]},
            source=Source(SourceType.MANUAL), entity_id="ownership-2",
        )  # fmt: skip
    with transaction(factory) as session:
        after = service.neighbours(session, analyst, GraphTarget(NUMBER), starts=[scenario.company])
    assert scenario.owner not in before.value.depth
    assert after.value.depth[scenario.owner] == 1

"""Saved link charts: save, reopen with the case's current state, update, delete, validate."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import RequestContext
from casetrail.cases import members
from casetrail.core.errors import NotFound, PermissionDenied, ValidationFailed, VersionConflict
from casetrail.db.engine import transaction
from casetrail.entities.merge import merge_entities
from casetrail.graph import charts
from tests.factories import context_for, make_case, make_user
from tests.graph.scenario import Scenario, build_scenario

NUMBER = "2026-0142"


@pytest.fixture
def scenario(factory: sessionmaker[Session], analyst: RequestContext) -> Scenario:
    make_case(factory, "okafor", title="Night visits", number=NUMBER)
    return build_scenario(factory, analyst, NUMBER)


def _payload(scenario: Scenario) -> dict[str, Any]:
    return {
        "nodes": [
            {"id": scenario.owner, "x": -120.5, "y": 40.0, "pinned": True},
            {"id": scenario.hub, "x": 0, "y": 0, "pinned": False},
            {"id": scenario.friend, "x": 80, "y": 90},
        ],
        "filters": {
            "schemata": [],
            "relations": ["Call", "Associate"],
            "date_from": "2026-02",
            "date_to": None,
        },
        "layout": "cose",
    }


def _save(factory: sessionmaker[Session], ctx: RequestContext, scenario: Scenario) -> str:
    with transaction(factory) as session:
        chart = charts.create_chart(session, ctx, NUMBER, title="Hub and callers", payload=_payload(scenario))
        return chart.id


def test_saved_chart_reopens_with_positions_and_edges(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    chart_id = _save(factory, analyst, scenario)
    with transaction(factory) as session:
        opened = charts.open_chart(session, analyst, NUMBER, chart_id)
        filters = opened.chart.payload["filters"]
    assert opened.positions[scenario.owner] == (-120.5, 40.0)
    assert opened.pinned == {scenario.owner}
    assert {node.key for node in opened.elements.nodes} == {scenario.owner, scenario.hub, scenario.friend}
    assert [edge.relation for edge in opened.elements.edges] == ["Associate"]
    assert filters["relations"] == ["Call", "Associate"]
    assert opened.missing == []


def test_chart_follows_merge_to_winner(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    chart_id = _save(factory, analyst, scenario)
    with transaction(factory) as session:
        merge_entities(
            session,
            analyst,
            NUMBER,
            winner_id=scenario.director,
            loser_id=scenario.friend,
            reason="same person",
        )
    with transaction(factory) as session:
        opened = charts.open_chart(session, analyst, NUMBER, chart_id)
    assert scenario.director in opened.positions
    assert scenario.friend not in opened.positions
    assert opened.missing == []


def test_chart_update_checks_version(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    chart_id = _save(factory, analyst, scenario)
    payload = _payload(scenario)
    payload["nodes"] = payload["nodes"][:1]
    with transaction(factory) as session:
        updated = charts.update_chart(
            session, analyst, NUMBER, chart_id, title=None, payload=payload, expected_version=1
        )
        assert updated.version == 2
    with pytest.raises(VersionConflict), transaction(factory) as session:
        charts.update_chart(
            session, analyst, NUMBER, chart_id, title="Again", payload=payload, expected_version=1
        )


def test_chart_delete(factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario) -> None:
    chart_id = _save(factory, analyst, scenario)
    with transaction(factory) as session:
        charts.delete_chart(session, analyst, NUMBER, chart_id, expected_version=1)
    with pytest.raises(NotFound), transaction(factory) as session:
        charts.open_chart(session, analyst, NUMBER, chart_id)


def test_chart_list(factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario) -> None:
    chart_id = _save(factory, analyst, scenario)
    with transaction(factory) as session:
        listed = [chart.id for chart in charts.list_charts(session, analyst, NUMBER)]
    assert listed == [chart_id]


def test_other_unit_cannot_open_chart(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    chart_id = _save(factory, analyst, scenario)
    stranger = context_for(make_user(factory, "rivera", unit="Robbery Unit"))
    with pytest.raises(NotFound), transaction(factory) as session:
        charts.open_chart(session, stranger, NUMBER, chart_id)


def test_viewer_cannot_save_chart(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    viewer = make_user(factory, "vale", unit="Narcotics Unit 3")
    with transaction(factory) as session:
        members.add_member(session, analyst, NUMBER, username="vale", role="viewer")
    with pytest.raises(PermissionDenied), transaction(factory) as session:
        charts.create_chart(session, context_for(viewer), NUMBER, title="Mine", payload=_payload(scenario))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nodes": "all"}, "nodes"),
        ({"nodes": [{"id": "", "x": 0, "y": 0}]}, "nodes"),
        ({"nodes": [{"id": "a", "x": float("nan"), "y": 0}]}, "nodes"),
        ({"nodes": [{"id": "a", "x": True, "y": 0}]}, "nodes"),
        ({"layout": "spiral"}, "layout"),
        ({"filters": {"date_from": "March"}}, "date_from"),
        ({"filters": {"schemata": ["Spaceship"]}}, "schema"),
    ],
)
def test_invalid_payload_is_rejected(change: dict[str, Any], field: str) -> None:
    payload: dict[str, Any] = {"nodes": [], "filters": {}, "layout": "cose", **change}
    with pytest.raises(ValidationFailed) as raised:
        charts.clean_payload(payload)
    assert field in raised.value.errors

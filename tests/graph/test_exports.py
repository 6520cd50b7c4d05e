"""Exports parse with standard readers and carry the chart's entities, links and positions."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import networkx as nx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.auth.context import RequestContext
from casetrail.db.engine import transaction
from casetrail.graph import charts, downloads
from casetrail.graph.exports import ExportFormat
from casetrail.graph.scope import GraphTarget
from tests.factories import make_case
from tests.graph.scenario import CALLS_EACH, Scenario, build_scenario

NUMBER = "2026-0142"


@pytest.fixture
def scenario(factory: sessionmaker[Session], analyst: RequestContext) -> Scenario:
    make_case(factory, "okafor", title="Night visits", number=NUMBER)
    return build_scenario(factory, analyst, NUMBER)


@pytest.fixture
def chart_id(factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario) -> str:
    payload = {
        "nodes": [
            {"id": scenario.owner, "x": -100, "y": 50, "pinned": True},
            {"id": scenario.friend, "x": 100, "y": 50},
            {"id": scenario.director, "x": 0, "y": -80},
            {"id": scenario.passport, "x": 60, "y": -140},
        ],
        "layout": "preset",
    }
    with transaction(factory) as session:
        return charts.create_chart(session, analyst, NUMBER, title="People", payload=payload).id


def _export_chart(
    factory: sessionmaker[Session], ctx: RequestContext, chart_id: str, fmt: ExportFormat
) -> bytes:
    with transaction(factory) as session:
        return downloads.export_chart(session, ctx, NUMBER, chart_id, fmt).content


def test_graphml_export_reads_back_in_networkx(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    with transaction(factory) as session:
        exported = downloads.export_graph(session, analyst, GraphTarget(NUMBER), ExportFormat.GRAPHML)
    graph = nx.read_graphml(io.BytesIO(exported.content))
    assert exported.file_name == f"case-{NUMBER}-graph.graphml"
    assert graph.number_of_nodes() == 8
    assert graph.number_of_edges(scenario.hub, "phone:+442079460111") == CALLS_EACH
    assert graph.nodes[scenario.owner]["label"] == "Lena Brandt"
    assert graph.nodes[scenario.owner]["cases"] == NUMBER


def test_chart_graphml_keeps_positions(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario, chart_id: str
) -> None:
    graph = nx.read_graphml(io.BytesIO(_export_chart(factory, analyst, chart_id, ExportFormat.GRAPHML)))
    assert sorted(graph.nodes) == sorted(
        [scenario.owner, scenario.friend, scenario.director, scenario.passport]
    )
    assert (graph.nodes[scenario.owner]["x"], graph.nodes[scenario.owner]["y"]) == (-100.0, 50.0)
    assert graph.number_of_edges() == 2


def test_chart_gexf_reads_back_in_networkx(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario, chart_id: str
) -> None:
    graph = nx.read_gexf(io.BytesIO(_export_chart(factory, analyst, chart_id, ExportFormat.GEXF)))
    relations = {data["relation"] for _, _, data in graph.edges(data=True)}
    assert graph.number_of_nodes() == 4
    assert relations == {"Associate", "Passport.holder"}
    assert graph.nodes[scenario.director]["viz"]["position"]["y"] == -80.0


def test_chart_anx_lists_entities_and_links(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario, chart_id: str
) -> None:
    root = ElementTree.fromstring(_export_chart(factory, analyst, chart_id, ExportFormat.ANX))
    entity_of = {entity.get("EntityId"): entity.get("Identity") for entity in root.iter("Entity")}
    links = [(entity_of[link.get("End1Id")], entity_of[link.get("End2Id")]) for link in root.iter("Link")]
    icons = {
        entity.get("Identity"): entity.find("Icon/IconStyle").get("Type") for entity in root.iter("Entity")
    }  # type: ignore[union-attr]
    labels = {item.get("Label") for item in root.iter("ChartItem") if item.find("End") is not None}
    assert root.tag == "Chart"
    assert set(entity_of.values()) == {scenario.owner, scenario.friend, scenario.director, scenario.passport}
    assert sorted(links) == sorted(
        [(scenario.owner, scenario.friend), (scenario.passport, scenario.director)]
    )
    assert icons[scenario.owner] == "Person"
    assert icons[scenario.passport] == "Passport"
    assert "Lena Brandt" in labels


def test_chart_anx_keeps_positions(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario, chart_id: str
) -> None:
    root = ElementTree.fromstring(_export_chart(factory, analyst, chart_id, ExportFormat.ANX))
    ends = {
        item.find("End/Entity").get("Identity"): item.find("End")  # type: ignore[union-attr]
        for item in root.iter("ChartItem")
        if item.find("End") is not None
    }
    assert (ends[scenario.owner].get("X"), ends[scenario.owner].get("Y")) == ("-100", "50")
    assert ends[scenario.director].get("Z") == "0"


def test_case_anx_dates_the_ownership(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario
) -> None:
    with transaction(factory) as session:
        exported = downloads.export_graph(session, analyst, GraphTarget(NUMBER), ExportFormat.ANX)
    root = ElementTree.fromstring(exported.content)
    ownership = next(
        item for item in root.iter("ChartItem") if item.find("Link/LinkStyle[@Type='Ownership']") is not None
    )
    undated = next(
        item for item in root.iter("ChartItem") if item.find("Link/LinkStyle[@Type='Associate']") is not None
    )
    assert ownership.get("DateSet") == "true"
    assert ownership.get("DateTime") == "2019-05-01T00:00:00"
    assert ownership.find("Link/LinkStyle").get("ArrowStyle") == "ArrowOnHead"  # type: ignore[union-attr]
    assert undated.get("DateSet") == "false"
    assert undated.find("Link/LinkStyle").get("ArrowStyle") == "ArrowNone"  # type: ignore[union-attr]


def test_export_is_audited(
    factory: sessionmaker[Session], analyst: RequestContext, scenario: Scenario, chart_id: str
) -> None:
    _export_chart(factory, analyst, chart_id, ExportFormat.ANX)
    with transaction(factory) as session:
        entry = session.execute(select(AuditRecord).where(AuditRecord.action == "graph.export")).scalar_one()
    assert entry.object_id == chart_id
    assert entry.detail["format"] == "anx"

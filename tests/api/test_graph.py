"""Link analysis through the API: queries, cross-case purpose, need-to-know, charts and exports."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from casetrail.http.deps import CSRF_HEADER, PURPOSE_HEADER
from tests.api.conftest import ClientFactory
from tests.factories import context_for, make_case, make_user
from tests.graph.scenario import CALLS_EACH, OWNER_PHONE, Scenario, build_scenario

NUMBER = "2026-0142"
BASE = f"/api/v1/cases/{NUMBER}/graph"
PURPOSE = {PURPOSE_HEADER: "check whether the hub phone is known elsewhere"}


@pytest.fixture
def scenario(factory: sessionmaker[Session]) -> Scenario:
    okafor = make_user(factory, "okafor", unit="Narcotics Unit 3")
    make_user(factory, "rivera", unit="Robbery Unit")
    make_case(factory, "okafor", title="Night visits", number=NUMBER)
    return build_scenario(factory, context_for(okafor), NUMBER)


@pytest.fixture
def okafor(client_for: ClientFactory, scenario: Scenario) -> TestClient:
    return client_for("okafor")


@pytest.fixture
def rivera(client_for: ClientFactory, scenario: Scenario) -> TestClient:
    return client_for("rivera")


def _chart_body(scenario: Scenario) -> dict[str, object]:
    return {
        "title": "Hub and callers",
        "payload": {
            "nodes": [
                {"id": scenario.hub, "x": 0, "y": 0, "pinned": True},
                {"id": f"phone:{OWNER_PHONE}", "x": 120, "y": 30},
                {"id": scenario.owner, "x": 220, "y": 60},
            ],
            "filters": {"relations": ["Call"]},
            "layout": "preset",
        },
    }


def test_neighbours_of_hub(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(f"{BASE}/neighbours", params={"entity": scenario.hub, "hops": 2})
    body = response.json()
    nodes = {node["id"]: node for node in body["nodes"]}
    assert response.status_code == 200
    assert body["depth"][scenario.owner] == 2
    assert nodes[scenario.hub]["kind"] == "value"
    assert nodes[scenario.owner]["cases"] == [NUMBER]
    assert len([edge for edge in body["edges"] if edge["relation"] == "Call"]) == 2 * CALLS_EACH


def test_neighbours_filter_by_schema(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(
        f"{BASE}/neighbours",
        params={"entity": scenario.director, "hops": 2, "schema": ["Company", "Passport"]},
    )
    assert {node["id"] for node in response.json()["nodes"]} == {
        scenario.director,
        scenario.company,
        scenario.passport,
    }


def test_unknown_schema_is_rejected(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(f"{BASE}/neighbours", params={"entity": scenario.hub, "schema": "Spaceship"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"schema": "unknown"}


def test_paths_between_people(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(f"{BASE}/paths", params={"source": scenario.owner, "to": scenario.director})
    body = response.json()
    assert response.status_code == 200
    assert [path["length"] for path in body["paths"]] == [4]
    assert len(body["paths"][0]["edges"][1]) == CALLS_EACH
    assert {node["id"] for node in body["elements"]["nodes"]} == set(body["paths"][0]["nodes"])


def test_all_paths_mode(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(
        f"{BASE}/paths", params={"source": scenario.owner, "to": scenario.director, "all_paths": True}
    )
    assert response.status_code == 200
    assert response.json()["truncated"] is False


def test_common_neighbours(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(
        f"{BASE}/common", params={"entity": [f"phone:{OWNER_PHONE}", "phone:+442079460122"]}
    )
    assert [item["node"]["id"] for item in response.json()["items"]] == [scenario.hub]


def test_centrality_ranks_hub(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(f"{BASE}/centrality", params={"order": "betweenness", "limit": 1})
    assert response.json()["items"][0]["node"]["id"] == scenario.hub


def test_communities_cover_graph(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(f"{BASE}/communities", params={"method": "label_propagation"})
    assert sum(group["size"] for group in response.json()["groups"]) == 8


def test_timeline(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(f"{BASE}/timeline", params={"date_from": "2019", "date_to": "2019"})
    assert [item["entity_id"] for item in response.json()["items"]] == ["ownership-1"]


def test_invalid_date_is_rejected(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(f"{BASE}/timeline", params={"date_from": "last week"})
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.json()["error"]["message"]


def test_other_unit_gets_404_on_every_graph_route(
    rivera: TestClient, anonymous: TestClient, scenario: Scenario
) -> None:
    for path, params in (
        ("neighbours", {"entity": scenario.hub}),
        ("paths", {"source": scenario.owner, "to": scenario.director}),
        ("common", {"entity": [scenario.owner, scenario.director]}),
        ("centrality", {}),
        ("communities", {}),
        ("timeline", {}),
        ("export", {"format": "graphml"}),
        ("charts", {}),
    ):
        hidden = rivera.get(f"{BASE}/{path}", params=params)
        missing = rivera.get(f"/api/v1/cases/2026-9999/graph/{path}", params=params)
        assert hidden.status_code == 404, path
        assert hidden.json()["error"]["code"] == missing.json()["error"]["code"], path


def test_cross_case_query_needs_purpose(rivera: TestClient, scenario: Scenario) -> None:
    response = rivera.get("/api/v1/graph/centrality")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"purpose": "missing"}


def test_cross_case_query_shows_no_hidden_node(rivera: TestClient, scenario: Scenario) -> None:
    centrality = rivera.get("/api/v1/graph/centrality", headers=PURPOSE)
    neighbours = rivera.get("/api/v1/graph/neighbours", params={"entity": scenario.hub}, headers=PURPOSE)
    assert centrality.status_code == 200
    assert centrality.json()["items"] == []
    assert neighbours.status_code == 404


def test_cross_case_query_for_member(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(
        "/api/v1/graph/neighbours", params={"entity": scenario.hub, "purpose": "hub review"}
    )
    assert response.status_code == 200
    assert {node["id"] for node in response.json()["nodes"]} >= {scenario.hub}


def test_cross_case_purpose_is_audited(
    factory: sessionmaker[Session], client_for: ClientFactory, okafor: TestClient, scenario: Scenario
) -> None:
    okafor.get("/api/v1/graph/timeline", headers=PURPOSE)
    make_user(factory, "audra", role="auditor", unit=None)
    response = client_for("audra").get("/api/v1/audit", params={"action": "graph.query"})
    entries = response.json()["items"]
    assert [entry["purpose"] for entry in entries] == [PURPOSE[PURPOSE_HEADER]]
    assert entries[0]["detail"]["query"] == "timeline"


def test_chart_save_reopen_update_delete(okafor: TestClient, scenario: Scenario) -> None:
    created = okafor.post(f"{BASE}/charts", json=_chart_body(scenario))
    chart = created.json()
    opened = okafor.get(f"{BASE}/charts/{chart['id']}")
    update = {**_chart_body(scenario), "title": "Hub only", "expected_version": 1}
    updated = okafor.put(f"{BASE}/charts/{chart['id']}", json=update)
    stale = okafor.put(f"{BASE}/charts/{chart['id']}", json=update)
    listed = okafor.get(f"{BASE}/charts")
    deleted = okafor.delete(f"{BASE}/charts/{chart['id']}", params={"expected_version": 2})
    assert created.status_code == 201
    assert len(opened.json()["elements"]["nodes"]) == 3
    assert len(opened.json()["elements"]["edges"]) == CALLS_EACH + 1
    assert opened.json()["payload"]["nodes"][0] == {"id": scenario.hub, "x": 0.0, "y": 0.0, "pinned": True}
    assert updated.json()["title"] == "Hub only"
    assert updated.json()["version"] == 2
    assert stale.status_code == 409
    assert [item["title"] for item in listed.json()] == ["Hub only"]
    assert deleted.status_code == 204


def test_chart_post_needs_csrf_with_cookie(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.post(f"{BASE}/charts", json=_chart_body(scenario), headers={CSRF_HEADER: "wrong"})
    assert response.status_code == 403


def test_exports_parse(okafor: TestClient, scenario: Scenario) -> None:
    graphml = okafor.get(f"{BASE}/export", params={"format": "graphml"})
    gexf = okafor.get(f"{BASE}/export", params={"format": "gexf", "relation": "Call"})
    anx = okafor.get(f"{BASE}/export", params={"format": "anx"})
    assert graphml.headers["content-type"].startswith("application/graphml+xml")
    assert f'filename="case-{NUMBER}-graph.graphml"' in graphml.headers["content-disposition"]
    assert nx.read_graphml(io.BytesIO(graphml.content)).number_of_nodes() == 8
    assert nx.read_gexf(io.BytesIO(gexf.content)).number_of_edges() == 2 * CALLS_EACH
    assert len(list(ElementTree.fromstring(anx.content).iter("Entity"))) == 8


def test_chart_export_parses(okafor: TestClient, scenario: Scenario) -> None:
    chart = okafor.post(f"{BASE}/charts", json=_chart_body(scenario)).json()
    response = okafor.get(f"{BASE}/charts/{chart['id']}/export", params={"format": "anx"})
    root = ElementTree.fromstring(response.content)
    assert {entity.get("Identity") for entity in root.iter("Entity")} == {
        scenario.hub,
        f"phone:{OWNER_PHONE}",
        scenario.owner,
    }
    assert len(list(root.iter("Link"))) == CALLS_EACH + 1

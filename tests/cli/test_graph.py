"""`casetrail graph`: link analysis as the user of CASETRAIL_TOKEN, need-to-know and purpose included."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.cli.graph import CAPTION_WIDTH, community_line
from tests.cli.runner import Cli
from tests.factories import context_for, make_case, make_user
from tests.graph.scenario import CALLS_EACH, Scenario, build_scenario

NUMBER = "2026-0142"


@dataclass(frozen=True)
class Tokens:
    okafor: str
    rivera: str


@pytest.fixture
def scenario(factory: sessionmaker[Session]) -> Scenario:
    okafor = make_user(factory, "okafor", unit="Narcotics Unit 3")
    make_user(factory, "rivera", unit="Robbery Unit")
    make_case(factory, "okafor", title="Night visits", number=NUMBER)
    return build_scenario(factory, context_for(okafor), NUMBER)


@pytest.fixture
def tokens(cli: Cli, scenario: Scenario) -> Tokens:
    return Tokens(okafor=cli.token_for("okafor"), rivera=cli.token_for("rivera"))


def test_neighbours_as_json(cli: Cli, tokens: Tokens, scenario: Scenario) -> None:
    result = cli(
        "graph",
        "neighbours",
        scenario.hub,
        "--case",
        NUMBER,
        "--hops",
        "2",
        "-o",
        "json",
        token=tokens.okafor,
    )
    body = json.loads(result.stdout)
    hops = {node["id"]: node["hops"] for node in body["nodes"]}
    assert result.exit_code == 0, result.stderr
    assert hops[scenario.owner] == 2
    assert hops[scenario.director] == 2


def test_neighbours_as_text(cli: Cli, tokens: Tokens, scenario: Scenario) -> None:
    result = cli("graph", "neighbours", scenario.director, "--case", NUMBER, token=tokens.okafor)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["HOPS", "ID", "SCHEMA", "CAPTION"]
    assert "Northway Leasing Ltd" in result.stdout


def test_paths_as_text(cli: Cli, tokens: Tokens, scenario: Scenario) -> None:
    result = cli("graph", "paths", scenario.owner, scenario.director, "--case", NUMBER, token=tokens.okafor)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("4 steps: Lena Brandt -> +442079460111 -> +442079460100")


def test_centrality_ranks_hub_first(cli: Cli, tokens: Tokens, scenario: Scenario) -> None:
    result = cli(
        "graph", "centrality", "--case", NUMBER, "--order", "betweenness", "--limit", "1", "-o", "json",
        token=tokens.okafor,
    )  # fmt: skip
    items = json.loads(result.stdout)["items"]
    assert [item["id"] for item in items] == [scenario.hub]
    assert items[0]["edges"] == 2 * CALLS_EACH


def test_communities_as_text(cli: Cli, tokens: Tokens, scenario: Scenario) -> None:
    result = cli("graph", "communities", "--case", NUMBER, token=tokens.okafor)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("modularity ")


def test_timeline_with_date_range(cli: Cli, tokens: Tokens, scenario: Scenario) -> None:
    result = cli(
        "graph", "timeline", "--case", NUMBER, "--date-from", "2019", "--date-to", "2019", "-o", "json",
        token=tokens.okafor,
    )  # fmt: skip
    assert [item["entity_id"] for item in json.loads(result.stdout)["items"]] == ["ownership-1"]


def test_export_graphml(cli: Cli, tokens: Tokens, scenario: Scenario, tmp_path: Path) -> None:
    target = tmp_path / "case.graphml"
    result = cli("graph", "export", str(target), "--format", "graphml", "--case", NUMBER, token=tokens.okafor)
    assert result.exit_code == 0, result.stderr
    assert nx.read_graphml(target).number_of_nodes() == 8


def test_other_unit_sees_no_node(cli: Cli, tokens: Tokens, scenario: Scenario) -> None:
    hidden = cli("graph", "neighbours", scenario.hub, "--case", NUMBER, token=tokens.rivera)
    missing = cli("graph", "neighbours", scenario.hub, "--case", "2026-9999", token=tokens.rivera)
    assert hidden.exit_code == missing.exit_code
    assert hidden.exit_code != 0
    assert hidden.stderr.replace(NUMBER, "N") == missing.stderr.replace("2026-9999", "N")


def test_cross_case_needs_purpose(cli: Cli, tokens: Tokens, scenario: Scenario) -> None:
    result = cli("graph", "centrality", token=tokens.rivera)
    assert result.exit_code != 0
    assert "purpose" in result.stderr


def test_cross_case_with_purpose_leaves_out_hidden_case(cli: Cli, tokens: Tokens, scenario: Scenario) -> None:
    result = cli("graph", "centrality", "--purpose", "hub review", "-o", "json", token=tokens.rivera)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["items"] == []


def test_community_line_names_first_members() -> None:
    captions = [f"Person {number}" for number in range(14)]
    line = community_line(3, captions)
    assert line.startswith("3 (14): Person 0, Person 1,")
    assert "Person 9, and 4 more" in line
    assert "Person 10" not in line


def test_community_line_shortens_long_names() -> None:
    line = community_line(1, ["Ordinance " * 20])
    assert len(line) == len("1 (1): ") + CAPTION_WIDTH
    assert line.endswith("…")

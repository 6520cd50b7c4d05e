"""`casetrail search`: searching as the user of CASETRAIL_TOKEN, reindex and sync as the operator."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.cli.runner import Cli
from tests.search.scenario import HARBOUR, NIGHT, SILENT, Scenario, add_note, build_scenario

PURPOSE = "check whether the nickname Moonface appears in other cases"


@dataclass(frozen=True)
class Tokens:
    okafor: str
    rivera: str
    hale: str


@pytest.fixture
def scenario(factory: sessionmaker[Session]) -> Scenario:
    return build_scenario(factory)


@pytest.fixture
def tokens(cli: Cli, scenario: Scenario) -> Tokens:
    return Tokens(okafor=cli.token_for("okafor"), rivera=cli.token_for("rivera"), hale=cli.token_for("hale"))


def test_search_text_marks_matches(cli: Cli, tokens: Tokens) -> None:
    result = cli("search", "moonface", "--case", NIGHT, "--type", "document", token=tokens.okafor)
    assert result.exit_code == 0, result.stderr
    assert "page 3" in result.stdout
    assert "«Moonface»" in result.stdout
    assert "1 result, page 1 of 1" in result.stderr


def test_search_json(cli: Cli, tokens: Tokens, scenario: Scenario) -> None:
    result = cli(
        "search", '"wire transfer"', "--case", NIGHT, "--sort", "oldest", "-o", "json", token=tokens.okafor
    )
    body = json.loads(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert [item["id"] for item in body["results"]] == [scenario.ledger_id, scenario.letter_id]
    assert body["results"][0]["page"] == 3


def test_options_before_query(cli: Cli, tokens: Tokens) -> None:
    result = cli("search", "--case", NIGHT, "mundfeis", "-o", "json", token=tokens.okafor)
    assert result.exit_code == 0, result.stderr
    assert [item["type"] for item in json.loads(result.stdout)["results"]] == ["entity"]


def test_query_command_searches_reserved_words(cli: Cli, tokens: Tokens) -> None:
    result = cli("search", "query", "sync", "--case", NIGHT, token=tokens.okafor)
    assert result.exit_code == 0, result.stderr
    assert "no results" in result.stdout


def test_cross_case_needs_purpose(cli: Cli, tokens: Tokens) -> None:
    result = cli("search", "moonface", token=tokens.okafor)
    assert result.exit_code == 1
    assert "stated purpose" in result.stderr


def test_cross_case_with_purpose(cli: Cli, tokens: Tokens) -> None:
    result = cli("search", "moonface", "--purpose", PURPOSE, "-o", "json", token=tokens.okafor)
    assert result.exit_code == 0, result.stderr
    assert {item["case"] for item in json.loads(result.stdout)["results"]} == {NIGHT, SILENT}


def test_syntax_error_names_position(cli: Cli, tokens: Tokens) -> None:
    result = cli("search", "cash AND", "--case", NIGHT, token=tokens.okafor)
    assert result.exit_code == 1
    assert "AND needs a term on each side (position 6)" in result.stderr


def test_needs_token(cli: Cli, scenario: Scenario) -> None:
    result = cli("search", "moonface", "--case", NIGHT)
    assert result.exit_code == 1
    assert "CASETRAIL_TOKEN" in result.stderr


# -- need to know -------------------------------------------------------------------------------


def test_case_not_on_is_not_found(cli: Cli, tokens: Tokens) -> None:
    result = cli("search", "moonface", "--case", HARBOUR, token=tokens.okafor)
    assert result.exit_code == 1
    assert f"case {HARBOUR} not found" in result.stderr
    assert "Moonface" not in result.stdout


def test_cross_case_finds_nothing_from_case_not_on(cli: Cli, tokens: Tokens) -> None:
    result = cli(
        "search", "moonface OR ledger OR informant", "--purpose", PURPOSE, "-o", "json", token=tokens.rivera
    )
    body = json.loads(result.stdout)
    assert {item["case"] for item in body["results"]} == {HARBOUR}
    assert body["total"] == 2


def test_case_above_clearance_not_found(cli: Cli, tokens: Tokens) -> None:
    direct = cli("search", "moonface", "--case", SILENT, token=tokens.hale)
    across = cli("search", "moonface OR informant", "--purpose", PURPOSE, "-o", "json", token=tokens.hale)
    assert direct.exit_code == 1
    assert SILENT not in {item["case"] for item in json.loads(across.stdout)["results"]}


# -- operator commands --------------------------------------------------------------------------


def test_sync_applies_new_note(
    cli: Cli, tokens: Tokens, scenario: Scenario, factory: sessionmaker[Session]
) -> None:
    add_note(factory, scenario.okafor, NIGHT, "A kayak on the roof rack.")
    synced = cli("search", "sync", "-o", "json")
    found = cli("search", "kayak", "--case", NIGHT, "-o", "json", token=tokens.okafor)
    assert synced.exit_code == 0, synced.stderr
    assert json.loads(synced.stdout)["objects"] == 1
    assert json.loads(found.stdout)["total"] == 1


def test_reindex_reports_counts(cli: Cli, scenario: Scenario) -> None:
    result = cli("search", "reindex", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["objects"] == 8


def test_reindex_text(cli: Cli, scenario: Scenario) -> None:
    result = cli("search", "reindex")
    assert result.exit_code == 0, result.stderr
    assert "objects" in result.stdout


def test_group_help_lists_commands(cli: Cli) -> None:
    result = cli("search", "--help")
    assert result.exit_code == 0
    assert "reindex" in result.stdout

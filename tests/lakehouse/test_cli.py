"""The lakehouse commands and `casetrail sql` / `casetrail purge` as a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import sqlglot
from sqlalchemy.orm import Session, sessionmaker

from casetrail.lakehouse.runtime import Lakehouse
from tests.cli.runner import Cli
from tests.lakehouse.conftest import TwoCases
from tests.lakehouse.helpers import add_note, add_person, rows


def test_sync_then_sql_as_token_user(cli: Cli, two_cases: TwoCases, factory: sessionmaker[Session]) -> None:
    add_person(factory, two_cases.alice, two_cases.alpha, "Anna Alpha")
    add_person(factory, two_cases.bob, two_cases.bravo, "Boris Bravo")
    synced = cli("lakehouse", "sync", "-o", "json")
    token = cli.token_for("alice")

    result = cli(
        "sql",
        "SELECT value FROM statements WHERE prop = 'name'",
        "--format",
        "json",
        "--purpose",
        "review",
        token=token,
    )

    assert synced.exit_code == 0, synced.stderr
    assert json.loads(synced.stdout)["events"] > 0
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == [["Anna Alpha"]]


def test_sql_formats(cli: Cli, two_cases: TwoCases, factory: sessionmaker[Session], tmp_path: Path) -> None:
    add_note(factory, two_cases.alice, two_cases.alpha, "first note")
    cli("lakehouse", "sync")
    token = cli.token_for("alice")
    out = f"{tmp_path}/notes.parquet"

    as_table = cli("sql", "SELECT body FROM notes", token=token)
    as_csv = cli("sql", "SELECT body FROM notes", "--format", "csv", token=token)
    as_parquet = cli("sql", "SELECT body FROM notes", "--format", "parquet", "--out", out, token=token)

    assert as_table.stdout.splitlines() == ["BODY", "first note"]
    assert as_csv.stdout.splitlines() == ['"body"', '"first note"']
    assert as_parquet.exit_code == 0, as_parquet.stderr
    assert pq.read_table(out).to_pylist() == [{"body": "first note"}]


def test_sql_rejects_commands(cli: Cli, two_cases: TwoCases) -> None:
    cli("lakehouse", "sync")
    token = cli.token_for("alice")

    result = cli("sql", "DROP TABLE statements", token=token)

    assert result.exit_code == 1
    assert "only SELECT queries are allowed" in result.stderr


def test_sql_in_trino_dialect_parses(cli: Cli, two_cases: TwoCases, factory: sessionmaker[Session]) -> None:
    add_person(factory, two_cases.alice, two_cases.alpha, "Anna Alpha")
    cli("lakehouse", "sync")
    token = cli.token_for("alice")

    result = cli("sql", "SELECT count(*) FROM statements", "--dialect", "trino", token=token)

    assert result.exit_code == 0, result.stderr
    assert sqlglot.parse_one(result.stdout, read="trino") is not None
    assert two_cases.alpha.id in result.stdout
    assert two_cases.bravo.id not in result.stdout


def test_status_shows_lag_and_tables(cli: Cli, two_cases: TwoCases) -> None:
    before = cli("lakehouse", "status", "-o", "json")
    cli("lakehouse", "sync")
    after = cli("lakehouse", "status", "-o", "json")

    lag_before = {item["stream"]: item["behind"] for item in json.loads(before.stdout)["lag"]}
    lag_after = {item["stream"]: item["behind"] for item in json.loads(after.stdout)["lag"]}
    tables = {item["name"]: item for item in json.loads(after.stdout)["tables"]}
    assert lag_before["lakehouse"] > 0
    assert lag_after["lakehouse"] == 0
    assert tables["cases"]["records"] == 2
    assert tables["cases"]["applied_seq"] > 0


def test_rebuild_recreates_tables(cli: Cli, lake: Lakehouse, two_cases: TwoCases) -> None:
    result = cli("lakehouse", "rebuild", "--recreate", "-o", "json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["rows"]["cases"] == 2
    assert sorted(row["number"] for row in rows(lake, "cases")) == ["2026-0001", "2026-0002"]


def test_purge_command(
    cli: Cli, lake: Lakehouse, two_cases: TwoCases, factory: sessionmaker[Session]
) -> None:
    person = add_person(factory, two_cases.alice, two_cases.alpha, "Gone Person")
    cli("lakehouse", "sync")

    result = cli(
        "purge",
        "--case",
        "2026-0001",
        "--entity",
        person.record.entity_id,
        "--reason",
        "court order",
        "-o",
        "json",
    )

    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["removed"]["statements"]) == 1
    assert rows(lake, "statements") == []


def test_trino_config(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "casetrail.properties"

    result = cli("lakehouse", "trino-config", "--output-file", str(target))

    properties = dict(
        line.split("=", 1) for line in target.read_text().splitlines() if line and not line.startswith("#")
    )
    assert result.exit_code == 0, result.stderr
    assert properties["connector.name"] == "iceberg"
    assert properties["iceberg.catalog.type"] == "jdbc"
    assert properties["iceberg.jdbc-catalog.catalog-name"] == "casetrail"
    assert properties["iceberg.jdbc-catalog.default-warehouse-dir"].startswith("file:///")

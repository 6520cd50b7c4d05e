"""`casetrail import ftm`: real OpenSanctions files, and bad lines that must leave nothing behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.db.engine import transaction
from casetrail.entities.models import CaseEntity, Entity, ImportBatch, Statement
from tests.cli.runner import Cli
from tests.conftest import DATA_DIR

ZALA = DATA_DIR / "ftm_opensanctions_zala_slice.ftm.json"
T1 = DATA_DIR / "ftm_opensanctions_t1_mixed.ftm.json"
CASE = "2026-0001"
ZALA_SCHEMATA = {
    "Address": 11,
    "Company": 11,
    "Directorship": 3,
    "Family": 4,
    "Ownership": 14,
    "Passport": 1,
    "Person": 6,
    "Sanction": 41,
}
# Line 12 of the Zala slice holds the only phone value that FollowTheMoney does not clean.
ZALA_BAD_LINE = 12


@pytest.fixture
def case_number(cli: Cli) -> str:
    added = cli("user", "add", "alice", "--role", "investigator", "--password-stdin", stdin="x" * 16)
    assert added.exit_code == 0, added.stderr
    created = cli("case", "create", "--number", CASE, "--title", "Imports", "--lead", "alice")
    assert created.exit_code == 0, created.stderr
    return CASE


def _count(factory: sessionmaker[Session], model: type[object]) -> int:
    with transaction(factory) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def _assert_store_empty(factory: sessionmaker[Session]) -> None:
    assert _count(factory, Statement) == 0
    assert _count(factory, Entity) == 0
    assert _count(factory, CaseEntity) == 0
    assert _count(factory, ImportBatch) == 0
    with transaction(factory) as session:
        imports = session.execute(select(AuditRecord).where(AuditRecord.action == "import.ftm")).first()
    assert imports is None


def test_zala_with_skip_invalid_values(cli: Cli, case_number: str, factory: sessionmaker[Session]) -> None:
    result = cli("import", "ftm", "--case", case_number, str(ZALA), "--skip-invalid-values", "-o", "json")

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["entities"] == 91
    assert report["schemata"] == ZALA_SCHEMATA
    assert report["lines"] == 91
    assert [(item["line"], item["property"]) for item in report["skipped_values"]] == [
        (ZALA_BAD_LINE, "phone")
    ]
    assert report["statements"] == _count(factory, Statement)
    assert _count(factory, CaseEntity) == 91
    assert _count(factory, ImportBatch) == 1


def test_zala_schemata_stored(cli: Cli, case_number: str, factory: sessionmaker[Session]) -> None:
    cli("import", "ftm", "--case", case_number, str(ZALA), "--skip-invalid-values")

    with transaction(factory) as session:
        rows = session.execute(select(CaseEntity.schema, func.count()).group_by(CaseEntity.schema)).all()
    assert dict(rows) == ZALA_SCHEMATA


def test_zala_text_report(cli: Cli, case_number: str) -> None:
    result = cli("import", "ftm", "--case", case_number, str(ZALA), "--skip-invalid-values")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"imported {ZALA.name} into case {case_number}"
    assert "entities:            91" in lines
    assert "skipped values:      1" in lines
    assert any(line.split() == ["Sanction", "41"] for line in lines)
    assert any(line.split()[:2] == [str(ZALA_BAD_LINE), "phone"] for line in lines)


def test_zala_without_skip_fails_and_stores_nothing(
    cli: Cli, case_number: str, factory: sessionmaker[Session]
) -> None:
    result = cli("import", "ftm", "--case", case_number, str(ZALA))

    assert result.exit_code == 1
    assert f"error: line {ZALA_BAD_LINE}: invalid phone value" in result.stderr
    assert f"line: {ZALA_BAD_LINE}" in result.stderr
    assert "property: phone" in result.stderr
    assert f"Nothing from {ZALA.name} was stored" in result.stderr
    assert result.stdout == ""
    _assert_store_empty(factory)


def test_t1_mixed_scripts(cli: Cli, case_number: str, factory: sessionmaker[Session]) -> None:
    result = cli("import", "ftm", "--case", case_number, str(T1), "-o", "json")

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["entities"] == 7
    assert report["schemata"] == {"Address": 1, "Organization": 2, "Person": 4}
    assert report["skipped_values"] == []
    assert _count(factory, CaseEntity) == 7


def test_import_into_missing_case_fails(cli: Cli, case_number: str, factory: sessionmaker[Session]) -> None:
    result = cli("import", "ftm", "--case", "NO-SUCH-1", str(T1))

    assert result.exit_code == 1
    assert result.stderr.strip() == "error: case NO-SUCH-1 not found"
    assert _count(factory, ImportBatch) == 0


def test_import_missing_file_is_usage_error(cli: Cli, case_number: str, tmp_path: Path) -> None:
    result = cli("import", "ftm", "--case", case_number, str(tmp_path / "missing.json"))

    assert result.exit_code == 2


def _zala_entities_without_bad_line() -> list[str]:
    lines = ZALA.read_text(encoding="utf-8").splitlines()
    return [line for number, line in enumerate(lines, start=1) if number != ZALA_BAD_LINE]


def _first_id(lines: list[str], schema: str) -> str:
    for line in lines:
        entity = json.loads(line)
        if entity["schema"] == schema:
            return str(entity["id"])
    raise LookupError(schema)


def _ownership_of_address(lines: list[str]) -> str:
    ownership = {
        "id": "bad-ownership",
        "schema": "Ownership",
        "properties": {"owner": [_first_id(lines, "Address")], "asset": [_first_id(lines, "Company")]},
    }
    return json.dumps(ownership)


BAD_LINES = {
    "unknown property": (
        lambda lines: json.dumps(
            {"id": "bad-1", "schema": "Person", "properties": {"favouriteColour": ["blue"]}}
        ),
        "favouriteColour",
        "Person has no property 'favouriteColour'",
    ),
    "invalid JSON": (lambda lines: '{"id": "bad-1", "schema": "Person", ', None, "invalid JSON"),
    "unknown schema": (
        lambda lines: json.dumps({"id": "bad-1", "schema": "Spaceship", "properties": {"name": ["X"]}}),
        "schema",
        "unknown schema 'Spaceship'",
    ),
    "reference to wrong schema": (
        _ownership_of_address,
        "owner",
        "Ownership.owner must refer to a LegalEntity",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_LINES))
def test_bad_last_line_leaves_nothing(
    kind: str, cli: Cli, case_number: str, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    # 90 valid entities come first: more statements than one flush holds, so some rows are
    # written to the transaction before the bad line is read.
    build_line, prop, problem = BAD_LINES[kind]
    valid = _zala_entities_without_bad_line()
    path = tmp_path / "entities.ftm.json"
    path.write_text("\n".join([*valid, build_line(valid)]) + "\n", encoding="utf-8")
    bad_line = len(valid) + 1

    result = cli("import", "ftm", "--case", case_number, str(path))

    assert result.exit_code == 1
    assert f"error: line {bad_line}: {problem}" in result.stderr
    assert f"line: {bad_line}" in result.stderr
    if prop is not None:
        assert f"property: {prop}" in result.stderr
    _assert_store_empty(factory)


def test_valid_lines_before_bad_line_import_alone(
    cli: Cli, case_number: str, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    # The control for the test above: the same valid lines import on their own.
    path = tmp_path / "entities.ftm.json"
    path.write_text("\n".join(_zala_entities_without_bad_line()) + "\n", encoding="utf-8")

    result = cli("import", "ftm", "--case", case_number, str(path), "-o", "json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["entities"] == 90
    assert _count(factory, Statement) > 1_000

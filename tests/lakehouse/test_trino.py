"""Every query shape Casetrail generates for Trino parses with Trino's grammar."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from casetrail.lakehouse.sql_guard import check_query
from casetrail.lakehouse.trino import TrinoSource, permitted_select, to_trino

TABLES = ["statements", "cases", "notes", "entities", "relationships", "audit"]
CASES = ["01a24000-0000-7000-8000-000000000001", "01a24000-0000-7000-8000-000000000002"]

SOURCES = [
    TrinoSource("statements", 123, "case_id", CASES),
    TrinoSource("cases", 456, "id", CASES),
    TrinoSource("notes", None, "case_id", CASES),
    TrinoSource("entities", 789, "case_id", []),
    TrinoSource("relationships", 790, "case_id", CASES),
    TrinoSource("audit", 999, "case_id", None),
]

ANALYST_QUERIES = [
    "SELECT * FROM statements",
    "SELECT c.offence_category, count(DISTINCT r.target_id) FROM relationships r "
    "JOIN cases c ON c.id = r.case_id GROUP BY 1 HAVING count(*) > 3 ORDER BY 2 DESC LIMIT 10",
    "WITH v AS (SELECT entity_id FROM entities WHERE schema = 'Vehicle') "
    "SELECT count(*) FROM relationships WHERE target_id IN (SELECT entity_id FROM v)",
    "SELECT value FROM statements UNION ALL SELECT body FROM notes",
    "SELECT prop, row_number() OVER (PARTITION BY case_id ORDER BY recorded_at) AS n FROM statements",
    "SELECT action, count(*) FROM audit WHERE at >= TIMESTAMP '2026-01-01 00:00:00' GROUP BY action",
    "SELECT * FROM notes WHERE body LIKE '%van%' ORDER BY created_at LIMIT 5",
]


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.name)
def test_permitted_select_parses_as_trino(source: TrinoSource) -> None:
    sql = permitted_select("casetrail", source).sql(dialect="trino")

    parsed = sqlglot.parse_one(sql, read="trino")

    assert parsed.find(exp.Table) is not None
    if source.snapshot_id is not None:
        assert f"FOR VERSION AS OF {source.snapshot_id}" in sql


@pytest.mark.parametrize("query", ANALYST_QUERIES)
def test_analyst_query_translates_to_trino(query: str) -> None:
    checked = check_query(query, TABLES)
    sources = [source for source in SOURCES if source.name in checked.tables]

    sql = to_trino(checked, "casetrail", sources)
    parsed = sqlglot.parse_one(sql, read="trino")

    read = {
        f"{table.catalog}.{table.db}.{table.name}" for table in parsed.find_all(exp.Table) if table.catalog
    }
    others = {table.name for table in parsed.find_all(exp.Table) if not table.catalog}
    assert read == {f"iceberg.casetrail.{name}" for name in checked.tables}
    assert others <= {f"__permitted_{name}" for name in checked.tables} | {"v"}


def test_case_filter_is_in_trino_query() -> None:
    checked = check_query("SELECT count(*) FROM statements", TABLES)

    sql = to_trino(checked, "casetrail", [SOURCES[0]])

    assert f"case_id IN ('{CASES[0]}', '{CASES[1]}')" in sql


def test_empty_case_list_reads_nothing() -> None:
    sql = permitted_select("casetrail", TrinoSource("entities", 1, "case_id", [])).sql(dialect="trino")

    assert sql.endswith("WHERE FALSE")

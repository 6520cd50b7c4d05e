"""Analyst SQL never returns rows of a case the user may not see, however the query is written.

Alice leads case Alpha, Bob leads case Bravo, each in another unit. Bravo holds a person and a
note whose text contains BRAVO_MARK. Each query below is run as Alice: it either fails with a
clear error or returns rows, and no returned cell may mention Bravo's id, title or content.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.actions import AuditAction
from casetrail.audit.models import AuditRecord
from casetrail.auth.models import User
from casetrail.core.errors import CasetrailError, ValidationFailed
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.lakehouse.query import QueryRequest, run_query
from casetrail.lakehouse.results import QueryResult
from casetrail.lakehouse.runtime import Lakehouse
from casetrail.lakehouse.sql_guard import SqlRejected
from casetrail.lakehouse.sync import sync_until_caught_up
from tests.factories import context_for, make_user
from tests.lakehouse.conftest import TwoCases
from tests.lakehouse.helpers import add_note, add_person

BRAVO_MARK = "BRAVOSECRET"
ALPHA_MARK = "ALPHAVISIBLE"

ATTEMPTS = [
    "SELECT * FROM statements",
    "select * from STATEMENTS where case_id <> 'x'",
    'SELECT * FROM "Statements"',
    "SeLeCt value FrOm statements s JoIn cases c On c.id = s.case_id",
    "SELECT * FROM cases",
    "SELECT * FROM notes",
    "SELECT * FROM entities",
    "SELECT * FROM case_members",
    "SELECT value FROM statements UNION ALL SELECT body FROM notes",
    "SELECT * FROM statements WHERE case_id IN (SELECT id FROM cases)",
    "WITH everything AS (SELECT * FROM statements) SELECT * FROM everything",
    "SELECT (SELECT max(value) FROM statements) AS v",
    "SELECT * FROM statements s1 FULL OUTER JOIN statements s2 ON true",
    "SELECT * FROM statements /* comment */ -- trailing",
    "SELECT * FROM read_parquet('**/*.parquet')",
    "SELECT * FROM read_parquet(['x.parquet'])",
    "SELECT * FROM 'warehouse/casetrail/statements/data/x.parquet'",
    'SELECT * FROM "/tmp/x.parquet"',
    "SELECT * FROM iceberg_scan('warehouse/casetrail/statements')",
    "SELECT * FROM glob('**')",
    "SELECT * FROM query('SELECT * FROM statements')",
    "SELECT * FROM query_table('statements')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM duckdb_views()",
    "SELECT * FROM permitted.statements",
    "SELECT * FROM main.statements",
    "SELECT current_setting('allowed_directories')",
    "SELECT 1; SELECT * FROM statements",
    "SELECT * FROM statements; DROP VIEW permitted.statements",
    "PRAGMA show_tables",
    "SET enable_external_access = true",
    "ATTACH 'other.db'",
    "COPY statements TO 'out.csv'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "CREATE TABLE t AS SELECT 1",
    "SELECT * INTO stolen FROM statements",
    "WITH statements AS (SELECT 1) SELECT * FROM statements",
    "WITH __permitted AS (SELECT 1) SELECT * FROM __permitted",
    "SELECT * FROM statements AT (VERSION => 1)",
    "DESCRIBE statements",
    "SHOW TABLES",
    "SELECT * FROM range(10)",
]


def _run(session: Session, user: User, settings: Settings, sql: str, **kwargs: Any) -> QueryResult:
    return run_query(session, context_for(user), settings, QueryRequest(sql=sql, purpose="test", **kwargs))


@pytest.fixture
def filled(lake: Lakehouse, factory: sessionmaker[Session], two_cases: TwoCases) -> TwoCases:
    add_person(factory, two_cases.alice, two_cases.alpha, f"Anna {ALPHA_MARK}")
    add_person(factory, two_cases.bob, two_cases.bravo, f"Boris {BRAVO_MARK}")
    add_note(factory, two_cases.alice, two_cases.alpha, f"alpha note {ALPHA_MARK}")
    add_note(factory, two_cases.bob, two_cases.bravo, f"bravo note {BRAVO_MARK}")
    sync_until_caught_up(lake)
    return two_cases


def _leaks(result: QueryResult, cases: TwoCases) -> list[str]:
    forbidden = (BRAVO_MARK, cases.bravo.id, "Bravo", cases.bob.id)
    return [
        str(cell) for row in result.rows() for cell in row if any(mark in str(cell) for mark in forbidden)
    ]


def test_no_query_reaches_another_case(
    filled: TwoCases, factory: sessionmaker[Session], settings: Settings
) -> None:
    leaked: dict[str, list[str]] = {}
    for sql in ATTEMPTS:
        with transaction(factory) as session:
            try:
                result = _run(session, filled.alice, settings, sql)
            except CasetrailError:
                continue
        if _leaks(result, filled):
            leaked[sql] = _leaks(result, filled)
    assert leaked == {}


def test_own_rows_are_returned(filled: TwoCases, factory: sessionmaker[Session], settings: Settings) -> None:
    with transaction(factory) as session:
        result = _run(
            session,
            filled.alice,
            settings,
            "SELECT c.number, s.value FROM statements s JOIN cases c ON c.id = s.case_id "
            "WHERE s.prop = 'name'",
        )
    assert result.rows() == [["2026-0001", f"Anna {ALPHA_MARK}"]]


def test_other_user_sees_only_own_case(
    filled: TwoCases, factory: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(factory) as session:
        result = _run(session, filled.bob, settings, "SELECT body FROM notes")
    assert result.rows() == [[f"bravo note {BRAVO_MARK}"]]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_parquet('x.parquet')",
        "SELECT 1; SELECT 2",
        "DROP TABLE statements",
        "SELECT * FROM information_schema.tables",
        "SELECT getenv('HOME')",
    ],
)
def test_forbidden_sql_is_rejected(
    filled: TwoCases, factory: sessionmaker[Session], settings: Settings, sql: str
) -> None:
    with transaction(factory) as session, pytest.raises(SqlRejected):
        _run(session, filled.alice, settings, sql)


def test_unknown_table_is_a_validation_error(
    filled: TwoCases, factory: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(factory) as session, pytest.raises(ValidationFailed, match="unknown table 'secrets'"):
        _run(session, filled.alice, settings, "SELECT * FROM secrets")


def test_every_query_is_audited_with_text_and_purpose(
    filled: TwoCases, factory: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(factory) as session:
        _run(session, filled.alice, settings, "SELECT count(*) FROM statements")
    with transaction(factory) as session, pytest.raises(SqlRejected):
        _run(session, filled.alice, settings, "SELECT * FROM glob('*')")

    with transaction(factory) as session:
        records = list(
            session.execute(
                select(AuditRecord)
                .where(AuditRecord.action == AuditAction.LAKEHOUSE_QUERY)
                .order_by(AuditRecord.seq)
            ).scalars()
        )
    assert [record.detail["sql"] for record in records] == [
        "SELECT count(*) FROM statements",
        "SELECT * FROM glob('*')",
    ]
    assert [record.outcome for record in records] == ["success", "denied"]
    assert {record.purpose for record in records} == {"test"}
    assert {record.actor_id for record in records} == {filled.alice.id}


def test_audit_table_is_for_auditors_only(
    filled: TwoCases, factory: sessionmaker[Session], settings: Settings
) -> None:
    auditor = make_user(factory, "olga", role="auditor", unit=None)
    with transaction(factory) as session:
        as_alice = _run(session, filled.alice, settings, "SELECT count(*) FROM audit")
    with transaction(factory) as session:
        as_auditor = _run(session, auditor, settings, "SELECT count(*) FROM audit")
    with transaction(factory) as session:
        auditor_cases = _run(session, auditor, settings, "SELECT count(*) FROM statements")
    assert as_alice.rows() == [[0]]
    assert as_auditor.rows()[0][0] > 0
    assert auditor_cases.rows() == [[0]]

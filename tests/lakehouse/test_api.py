"""POST /api/v1/sql: the same checks, filters and audit as the command line."""

from __future__ import annotations

import io

import pyarrow.parquet as pq
from sqlalchemy.orm import Session, sessionmaker

from casetrail.lakehouse.runtime import Lakehouse
from casetrail.lakehouse.sync import sync_until_caught_up
from tests.api.conftest import ClientFactory
from tests.lakehouse.conftest import TwoCases
from tests.lakehouse.helpers import add_note

SQL = "/api/v1/sql"


def test_sql_returns_own_rows(
    lake: Lakehouse, client_for: ClientFactory, two_cases: TwoCases, factory: sessionmaker[Session]
) -> None:
    add_note(factory, two_cases.alice, two_cases.alpha, "alpha note")
    add_note(factory, two_cases.bob, two_cases.bravo, "bravo note")
    sync_until_caught_up(lake)
    client = client_for("alice")

    response = client.post(SQL, json={"sql": "SELECT body FROM notes", "purpose": "weekly review"})

    assert response.status_code == 200, response.text
    assert response.json()["rows"] == [["alpha note"]]
    assert response.json()["columns"] == [{"name": "body", "type": "string"}]


def test_sql_as_parquet(
    lake: Lakehouse, client_for: ClientFactory, two_cases: TwoCases, factory: sessionmaker[Session]
) -> None:
    add_note(factory, two_cases.alice, two_cases.alpha, "alpha note")
    sync_until_caught_up(lake)

    response = client_for("alice").post(SQL, json={"sql": "SELECT body FROM notes", "format": "parquet"})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    assert pq.read_table(io.BytesIO(response.content)).to_pylist() == [{"body": "alpha note"}]


def test_rejected_sql_is_403(lake: Lakehouse, client_for: ClientFactory, two_cases: TwoCases) -> None:
    sync_until_caught_up(lake)

    response = client_for("alice").post(SQL, json={"sql": "SELECT * FROM read_parquet('x.parquet')"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "sql_rejected"


def test_unparseable_sql_is_422(lake: Lakehouse, client_for: ClientFactory, two_cases: TwoCases) -> None:
    sync_until_caught_up(lake)

    response = client_for("alice").post(SQL, json={"sql": "SELEC body FROM notes"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"

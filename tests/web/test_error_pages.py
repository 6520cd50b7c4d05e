"""HTML error pages: unknown pages, and server errors that show only the request id."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from casetrail.db.engine import transaction
from tests.factories import make_case, make_user
from tests.web.conftest import BROWSER_HEADERS, BrowserFactory
from tests.web.html import log_in


def test_unknown_page_shows_not_found(anonymous: TestClient) -> None:
    response = anonymous.get("/no-such-page")

    assert response.status_code == 404
    assert "There is no such page." in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_server_error_shows_request_id_only(factory: sessionmaker[Session], app: FastAPI) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    # A label outside the vocabulary makes the policy fail, as a damaged row would.
    with transaction(factory) as session:
        session.execute(
            text("UPDATE case_file SET sensitivity = 'bogus-label' WHERE id = :id"), {"id": case.id}
        )
    with TestClient(app, headers=BROWSER_HEADERS, raise_server_exceptions=False) as client:
        log_in(client, "alice")

        response = client.get(f"/cases/{case.number}")

    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert response.headers["x-request-id"] in response.text
    assert "bogus-label" not in response.text
    assert "ValueError" not in response.text


def test_api_errors_stay_json(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    client = browser_for("alice")

    response = client.get("/api/v1/cases/2099-0001")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")

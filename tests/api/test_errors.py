"""The one JSON error envelope, the same for every error status."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.conftest import ClientFactory
from tests.factories import make_case, make_user

ENVELOPE_KEYS = {"code", "message", "request_id"}


def _check_envelope(response: Any, status: int, code: str, request_id: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert ENVELOPE_KEYS <= set(error) <= {*ENVELOPE_KEYS, "fields"}
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["request_id"] == request_id
    assert response.headers["X-Request-ID"] == request_id
    assert isinstance(error.get("fields", {}), dict)
    return error


def test_error_envelope_is_one_shape(
    factory: sessionmaker[Session], client_for: ClientFactory, anonymous: TestClient
) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice")
    alice = client_for("alice")
    path = f"/api/v1/cases/{case.number}"

    missing = alice.get("/api/v1/cases/2026-9999", headers={"X-Request-ID": "request-404"})
    alice.patch(path, json={"title": "first", "expected_version": 1})
    conflict = alice.patch(
        path, json={"title": "second", "expected_version": 1}, headers={"X-Request-ID": "request-409"}
    )
    invalid = alice.patch(path, json={"title": "no version"}, headers={"X-Request-ID": "request-422"})
    unauthenticated = anonymous.get("/api/v1/cases", headers={"X-Request-ID": "request-401"})

    _check_envelope(missing, 404, "not_found", "request-404")
    _check_envelope(conflict, 409, "version_conflict", "request-409")
    fields = _check_envelope(invalid, 422, "validation_failed", "request-422")["fields"]
    _check_envelope(unauthenticated, 401, "authentication_failed", "request-401")
    assert set(fields) == {"expected_version"}


def test_service_validation_uses_envelope(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice")
    response = client_for("alice").post(
        f"/api/v1/cases/{case.number}/entities",
        json={"schema": "Person", "properties": {"wingspan": ["3 m"]}, "source": {"type": "manual"}},
        headers={"X-Request-ID": "request-service-422"},
    )
    error = _check_envelope(response, 422, "validation_failed", "request-service-422")
    assert set(error["fields"]) == {"wingspan"}


def test_unknown_route_uses_envelope(anonymous: TestClient) -> None:
    response = anonymous.get("/api/v1/no-such-thing", headers={"X-Request-ID": "request-route-404"})
    _check_envelope(response, 404, "not_found", "request-route-404")


def test_malformed_json_uses_envelope(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    response = client_for("alice").post(
        "/api/v1/cases",
        content=b"{not json",
        headers={"Content-Type": "application/json", "X-Request-ID": "request-bad-json"},
    )
    _check_envelope(response, 422, "validation_failed", "request-bad-json")

"""Login, sessions, logout, idle timeout, API tokens and CSRF through the API."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth import service as auth_service
from casetrail.auth.context import operator_context
from casetrail.auth.models import UserSession
from casetrail.core.clock import utcnow
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.http.deps import CSRF_HEADER, SESSION_COOKIE
from tests.api.conftest import LOGIN, ClientFactory
from tests.factories import PASSWORD, make_case, make_user

ME = "/api/v1/auth/me"
LOGOUT = "/api/v1/auth/logout"


def _login(client: TestClient, username: str, password: str) -> tuple[int, dict[str, object]]:
    response = client.post(LOGIN, json={"username": username, "password": password})
    return response.status_code, response.json()


def test_login_sets_session_cookie(factory: sessionmaker[Session], anonymous: TestClient) -> None:
    make_user(factory, "alice")
    response = anonymous.post(LOGIN, json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "alice"
    assert response.json()["csrf_token"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie


def test_login_cookie_secure_when_configured(
    factory: sessionmaker[Session], settings: Settings, app: FastAPI
) -> None:
    settings.session.secure_cookie = True
    make_user(factory, "alice")
    with TestClient(app) as client:
        response = client.post(LOGIN, json={"username": "alice", "password": PASSWORD})
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_and_unknown_user_read_alike(
    factory: sessionmaker[Session], anonymous: TestClient
) -> None:
    make_user(factory, "alice")
    wrong_status, wrong_body = _login(anonymous, "alice", "not the password")
    unknown_status, unknown_body = _login(anonymous, "nobody", "not the password")
    assert wrong_status == 401
    assert unknown_status == 401
    assert wrong_body["error"]["code"] == "authentication_failed"  # type: ignore[index]
    assert wrong_body["error"]["message"] == unknown_body["error"]["message"]  # type: ignore[index]
    assert SESSION_COOKIE not in anonymous.cookies


def test_lockout_after_max_failures(
    factory: sessionmaker[Session], settings: Settings, anonymous: TestClient
) -> None:
    make_user(factory, "alice")
    failure_messages = set()
    for _ in range(settings.login.max_failures):
        status, body = _login(anonymous, "alice", "not the password")
        assert status == 401
        failure_messages.add(body["error"]["message"])  # type: ignore[index]

    status, body = _login(anonymous, "alice", PASSWORD)
    assert status == 401
    assert body["error"]["message"] in failure_messages  # type: ignore[index]
    assert len(failure_messages) == 1


def test_failures_below_limit_do_not_lock(
    factory: sessionmaker[Session], settings: Settings, anonymous: TestClient
) -> None:
    make_user(factory, "alice")
    for _ in range(settings.login.max_failures - 1):
        _login(anonymous, "alice", "not the password")
    status, _body = _login(anonymous, "alice", PASSWORD)
    assert status == 200


def test_session_cookie_authenticates(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice", role="supervisor", unit="Unit A", clearance="confidential")
    client = client_for("alice")
    response = client.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "alice"
    assert body["user"]["role"] == "supervisor"
    assert body["user"]["clearance"] == "confidential"
    assert body["user"]["unit_id"]
    assert body["user"]["unit"] == "Unit A"
    assert body["authenticated_via"] == "session"
    assert body["csrf_token"] == client.headers[CSRF_HEADER]


def test_anonymous_me_is_401(anonymous: TestClient) -> None:
    response = anonymous.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_logout_ends_session(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    client = client_for("alice")
    cookie = client.cookies[SESSION_COOKIE]
    assert client.post(LOGOUT).status_code == 204
    assert client.get(ME).status_code == 401

    # The old cookie value is dead on the server, not only removed from this browser.
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get(ME).status_code == 401


def test_idle_session_ends(
    factory: sessionmaker[Session], settings: Settings, client_for: ClientFactory
) -> None:
    settings.session.idle_minutes = 5
    make_user(factory, "alice")
    client = client_for("alice")
    assert client.get(ME).status_code == 200

    with transaction(factory) as session:
        session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=6)))
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_session_within_idle_limit_lives(
    factory: sessionmaker[Session], settings: Settings, client_for: ClientFactory
) -> None:
    settings.session.idle_minutes = 5
    make_user(factory, "alice")
    client = client_for("alice")
    with transaction(factory) as session:
        session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=4)))
    assert client.get(ME).status_code == 200


def test_bearer_token_authenticates(
    factory: sessionmaker[Session], client_for: ClientFactory, app: FastAPI
) -> None:
    make_user(factory, "alice")
    created = client_for("alice").post("/api/v1/users/alice/tokens", json={"name": "script"})
    assert created.status_code == 201
    token = created.json()["token"]

    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as script:
        me = script.get(ME)
        # No CSRF token for a bearer token: no cookie goes with the request.
        case = script.post("/api/v1/cases", json={"title": "Opened by a script"})
    assert me.status_code == 200
    assert me.json()["authenticated_via"] == "token"
    assert me.json()["csrf_token"] is None
    assert case.status_code == 201


def test_invalid_bearer_token_is_401(app: FastAPI) -> None:
    with TestClient(app, headers={"Authorization": "Bearer ctk_not-a-token"}) as script:
        response = script.get(ME)
    assert response.status_code == 401


def test_token_for_someone_else_needs_administrator(
    factory: sessionmaker[Session], client_for: ClientFactory
) -> None:
    make_user(factory, "alice")
    make_user(factory, "bob")
    make_user(factory, "root", role="administrator", unit=None)
    denied = client_for("alice").post("/api/v1/users/bob/tokens", json={"name": "x"})
    allowed = client_for("root").post("/api/v1/users/bob/tokens", json={"name": "x"})
    assert denied.status_code == 403
    assert allowed.status_code == 201


def test_cookie_post_without_csrf_rejected(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice")
    client = client_for("alice")
    csrf = client.headers.pop(CSRF_HEADER)

    missing = client.post(f"/api/v1/cases/{case.number}/notes", json={"body": "seen at the house"})
    wrong = client.post(
        f"/api/v1/cases/{case.number}/notes",
        json={"body": "seen at the house"},
        headers={CSRF_HEADER: "not-the-token"},
    )
    right = client.post(
        f"/api/v1/cases/{case.number}/notes", json={"body": "seen at the house"}, headers={CSRF_HEADER: csrf}
    )
    assert missing.status_code == 403
    assert missing.json()["error"]["code"] == "permission_denied"
    assert wrong.status_code == 403
    assert right.status_code == 201
    assert len(client.get(f"/api/v1/cases/{case.number}/notes").json()) == 1


def test_logout_without_csrf_rejected(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    client = client_for("alice")
    client.headers.pop(CSRF_HEADER)
    assert client.post(LOGOUT).status_code == 403
    assert client.get(ME).status_code == 200


def test_totp_account_needs_code(factory: sessionmaker[Session], anonymous: TestClient) -> None:
    make_user(factory, "alice")
    with transaction(factory) as session:
        uri = auth_service.enable_totp(session, operator_context(), "alice")
    totp = pyotp.parse_uri(uri)

    without_code = anonymous.post(LOGIN, json={"username": "alice", "password": PASSWORD})
    wrong_code = anonymous.post(
        LOGIN, json={"username": "alice", "password": PASSWORD, "totp_code": "000000"}
    )
    with_code = anonymous.post(
        LOGIN, json={"username": "alice", "password": PASSWORD, "totp_code": totp.now()}
    )
    assert without_code.status_code == 401
    assert wrong_code.status_code == 401
    assert without_code.json()["error"]["message"] == wrong_code.json()["error"]["message"]
    assert with_code.status_code == 200


def test_login_outcomes_are_audited(
    factory: sessionmaker[Session], client_for: ClientFactory, anonymous: TestClient
) -> None:
    alice = make_user(factory, "alice")
    make_user(factory, "audra", role="auditor", unit=None)
    assert _login(anonymous, "alice", "not the password")[0] == 401
    client_for("alice")
    auditor = client_for("audra")

    failed = auditor.get("/api/v1/audit", params={"action": "auth.login_failed"}).json()["items"]
    succeeded = auditor.get("/api/v1/audit", params={"action": "auth.login"}).json()["items"]
    assert [entry["object_id"] for entry in failed] == [alice.id]
    assert failed[0]["detail"]["reason"] == "password"
    assert failed[0]["actor_name"] == "anonymous"
    alice_logins = [entry for entry in succeeded if entry["object_id"] == alice.id]
    assert len(alice_logins) == 1
    assert alice_logins[0]["actor_name"] == "alice"
    assert alice_logins[0]["actor_id"] == alice.id

"""Logging in and out through the HTML forms."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.models import User
from casetrail.db.engine import transaction
from casetrail.http.deps import SESSION_COOKIE
from casetrail.web.auth_pages import LOGIN_FAILED_MESSAGE
from tests.factories import PASSWORD, make_user
from tests.web.conftest import BrowserFactory
from tests.web.html import csrf_token, log_in


def test_intake_login_opens_lead_queue(factory: sessionmaker[Session], anonymous: TestClient) -> None:
    make_user(factory, "ines", role="intake", unit="Unit A")

    response = log_in(anonymous, "ines")

    assert response.status_code == 303
    assert response.headers["location"] == "/leads"
    assert anonymous.get("/", follow_redirects=False).headers["location"] == "/leads"


def test_login_opens_case_list(factory: sessionmaker[Session], anonymous: TestClient) -> None:
    make_user(factory, "alice")

    response = log_in(anonymous, "alice")

    assert response.status_code == 303
    assert response.headers["location"] == "/cases"
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    page = anonymous.get("/cases")
    assert page.status_code == 200
    assert "Alice" in page.text
    assert "investigator" in page.text
    assert "Log out" in page.text


def test_wrong_password_shows_generic_message(factory: sessionmaker[Session], anonymous: TestClient) -> None:
    make_user(factory, "alice")

    wrong_password = log_in(anonymous, "alice", password="not the password")
    unknown_user = log_in(anonymous, "nobody", password="not the password")

    assert wrong_password.status_code == 401
    assert LOGIN_FAILED_MESSAGE in wrong_password.text
    assert unknown_user.status_code == 401
    assert LOGIN_FAILED_MESSAGE in unknown_user.text
    assert SESSION_COOKIE not in wrong_password.headers.get("set-cookie", "")


def test_failed_login_is_counted(factory: sessionmaker[Session], anonymous: TestClient) -> None:
    make_user(factory, "alice")

    log_in(anonymous, "alice", password="not the password")

    with transaction(factory) as session:
        user = session.query(User).filter_by(username="alice").one()
        assert user.failed_logins == 1


def test_login_form_without_its_token_is_rejected(
    factory: sessionmaker[Session], anonymous: TestClient
) -> None:
    make_user(factory, "alice")

    response = anonymous.post(
        "/login", data={"username": "alice", "password": "x", "csrf_token": "forged"}, follow_redirects=False
    )

    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_login_returns_to_requested_page(factory: sessionmaker[Session], anonymous: TestClient) -> None:
    make_user(factory, "alice")

    redirect = anonymous.get("/cases?status=open", follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == "/login?next=/cases%3Fstatus%3Dopen"

    response = log_in(anonymous, "alice", next_url="/cases%3Fstatus%3Dopen")
    assert response.headers["location"] == "/cases?status=open"


def test_login_ignores_next_outside_site(factory: sessionmaker[Session], anonymous: TestClient) -> None:
    make_user(factory, "alice")
    form = anonymous.get("/login")

    response = anonymous.post(
        "/login",
        data={
            "username": "alice",
            "password": PASSWORD,
            "csrf_token": csrf_token(form.text),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/cases"


def test_logout_ends_session(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    client = browser_for("alice")
    page = client.get("/cases")

    response = client.post("/logout", data={"csrf_token": csrf_token(page.text)}, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    after = client.get("/cases", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"].startswith("/login")


def test_root_redirects_to_cases(anonymous: TestClient) -> None:
    response = anonymous.get("/", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/cases"


def test_pages_name_an_icon_that_is_served(anonymous: TestClient) -> None:
    page = anonymous.get("/login")
    assert '<link rel="icon" href="/static/favicon.svg"' in page.text
    icon = anonymous.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")

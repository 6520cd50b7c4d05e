"""Notifications in the web UI: the header bell, the list, settings and following a case."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.cases import tasks as task_service
from casetrail.cases.members import add_member
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.notifications.follower import follow_until_caught_up
from tests.factories import context_for, make_case, make_user
from tests.web.conftest import BrowserFactory
from tests.web.html import post_form

NUMBER = "2026-0142"
_BADGE = re.compile(r"data-unread-count[^>]*>(\d+)</span>")


@pytest.fixture
def assigned(factory: sessionmaker[Session], settings: Settings) -> None:
    """Carol, an analyst on alice's case, has one unread "task assigned" notification."""
    alice = make_user(factory, "alice", unit="Unit A")
    make_user(factory, "carol", role="analyst", unit="Unit A")
    make_user(factory, "bob", unit="Unit B")
    make_case(factory, "alice", number=NUMBER)
    with transaction(factory) as session:
        add_member(session, operator_context(), NUMBER, username="carol", role="analyst")
        task_service.add_task(session, context_for(alice), NUMBER, title="Door to door", assignee="carol")
    follow_until_caught_up(factory, settings)


def _badge(html: str) -> int:
    match = _BADGE.search(html)
    assert match is not None, "no unread badge in the header"
    return int(match.group(1))


@pytest.mark.usefixtures("assigned")
def test_header_bell_counts_unread(browser_for: BrowserFactory) -> None:
    page = browser_for("carol").get("/cases")
    assert page.status_code == 200
    assert _badge(page.text) == 1
    assert 'src="/static/notifications.js"' in page.text
    assert 'data-stream="/api/v1/notifications/stream"' in page.text


@pytest.mark.usefixtures("assigned")
def test_bell_of_other_user_is_zero(browser_for: BrowserFactory) -> None:
    assert _badge(browser_for("alice").get("/cases").text) == 0


@pytest.mark.usefixtures("assigned")
def test_list_page_shows_title(browser_for: BrowserFactory) -> None:
    page = browser_for("carol").get("/notifications")
    assert page.status_code == 200
    assert f"Task assigned in {NUMBER}" in page.text
    assert "Door to door" not in page.text


@pytest.mark.usefixtures("assigned")
def test_opening_marks_read_and_redirects(browser_for: BrowserFactory) -> None:
    carol = browser_for("carol")
    page = carol.get("/notifications")
    action = re.search(r'action="(/notifications/[^"]+/open)"', page.text)
    assert action is not None
    response = post_form(carol, "/notifications", action.group(1), {})
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/cases/{NUMBER}#task-")
    assert _badge(carol.get("/cases").text) == 0


@pytest.mark.usefixtures("assigned")
def test_settings_page_saves_switches(browser_for: BrowserFactory) -> None:
    carol = browser_for("carol")
    data = {"task_assigned.in_app": "on", "task_due.email": "on", "email_address": "carol@agency.example"}
    response = post_form(carol, "/settings/notifications", "/settings/notifications", data)
    assert response.status_code == 303
    stored = carol.get("/api/v1/notifications/preferences").json()
    choices = {item["kind"]: item for item in stored["choices"]}
    assert choices["task_assigned"] == {**choices["task_assigned"], "in_app": True, "email": False}
    assert choices["task_due"] == {**choices["task_due"], "in_app": False, "email": True}
    assert choices["case_fact"]["in_app"] is False
    assert stored["email_address"] == "carol@agency.example"


@pytest.mark.usefixtures("assigned")
def test_settings_page_rejects_bad_address(browser_for: BrowserFactory) -> None:
    carol = browser_for("carol")
    response = post_form(
        carol, "/settings/notifications", "/settings/notifications", {"email_address": "nope"}
    )
    assert response.status_code == 422
    assert "Invalid e-mail address" in response.text


@pytest.mark.usefixtures("assigned")
def test_follow_button_toggles(browser_for: BrowserFactory) -> None:
    carol = browser_for("carol")
    case_page = carol.get(f"/cases/{NUMBER}")
    assert f'action="/cases/{NUMBER}/follow"' in case_page.text
    followed = post_form(carol, f"/cases/{NUMBER}", f"/cases/{NUMBER}/follow", {})
    assert followed.status_code == 303
    assert f'action="/cases/{NUMBER}/unfollow"' in carol.get(f"/cases/{NUMBER}").text
    assert NUMBER in carol.get("/settings/notifications").text


@pytest.mark.usefixtures("assigned")
def test_outsider_cannot_follow(browser_for: BrowserFactory) -> None:
    bob = browser_for("bob")
    response = post_form(bob, "/cases", f"/cases/{NUMBER}/follow", {})
    assert response.status_code == 404

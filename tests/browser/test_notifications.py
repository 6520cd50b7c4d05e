"""A notification arrives live in Chromium: the bell's count and the list change without a reload.

The test process assigns a task and runs the notification follower while the page is open, so
the notification reaches the browser through the database and the event stream alone. The
page also records that no navigation happened and that the strict CSP reported nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.auth.models import User
from casetrail.cases import tasks as task_service
from casetrail.cases.members import add_member
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.notifications.follower import follow_until_caught_up
from tests.browser.conftest import LiveServer, log_in, start_server, stop_server
from tests.factories import context_for, make_case, make_user

pytestmark = pytest.mark.browser

CASE_NUMBER = "2026-0142"


@pytest.fixture
def alice(factory: sessionmaker[Session]) -> User:
    return make_user(factory, "alice", unit="Unit A")


@pytest.fixture
def server(
    factory: sessionmaker[Session],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    alice: User,
) -> Iterator[LiveServer]:
    make_user(factory, "carol", role="analyst", unit="Unit A")
    make_case(factory, "alice", title="House on Elm St", number=CASE_NUMBER)
    with transaction(factory) as session:
        add_member(session, operator_context(), CASE_NUMBER, username="carol", role="analyst")
    monkeypatch.setenv("CASETRAIL_NOTIFICATIONS__STREAM_POLL_SECONDS", "0.5")
    process, live = start_server(database_url, tmp_path)
    yield live
    stop_server(process)


@pytest.fixture
def assign_task(factory: sessionmaker[Session], settings: Settings, alice: User) -> Callable[[], None]:
    """Return a function that assigns carol a task and runs the notification follower."""

    def assign() -> None:
        with transaction(factory) as session:
            task_service.add_task(
                session, context_for(alice), CASE_NUMBER, title="Door to door", assignee="carol"
            )
        follow_until_caught_up(factory, settings)

    return assign


def test_notification_arrives_live(
    browser: BrowserContext, server: LiveServer, assign_task: Callable[[], None], tmp_path: Path
) -> None:
    page = browser.new_page()
    csp_reports: list[str] = []
    page.on(
        "console",
        lambda message: csp_reports.append(message.text) if "Content Security" in message.text else None,
    )
    log_in(page, server, "carol")
    page.goto(f"{server.base_url}/notifications")
    badge = page.locator("[data-unread-count]")
    expect(badge).to_be_hidden()
    expect(page.locator(".notification-list")).to_contain_text("No notifications.")
    page.evaluate("() => { window.sameDocument = true; }")
    expect(page.locator("[data-notification-bell]")).to_have_attribute("data-live", "true")

    assign_task()

    expect(badge).to_have_text("1")
    expect(badge).to_be_visible()
    expect(page.locator(".notification-list .notification-title").first).to_have_text(
        f"Task assigned in {CASE_NUMBER}"
    )
    assert page.evaluate("() => window.sameDocument === true")
    assert csp_reports == []
    page.screenshot(path=tmp_path / "notification-live.png", full_page=True)

    page.locator(".notification-list .notification-title").first.click()
    expect(page).to_have_url(re.compile(rf"/cases/{CASE_NUMBER}#task-[0-9a-f-]+$"))
    expect(page.locator("[data-unread-count]")).to_be_hidden()

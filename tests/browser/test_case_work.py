"""A case agent's first minutes in a real browser: log in, open a case, read an entity, add a note.

The last step checks that the case page fits a phone screen (390 x 844 CSS pixels) without
horizontal scrolling. Screenshots of each page land in the test's temporary folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.db.engine import transaction
from casetrail.exchange.ftm_import import import_ftm_file
from tests.browser.conftest import PHONE, LiveServer, horizontal_overflow, log_in, start_server, stop_server
from tests.conftest import DATA_DIR
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser

CASE_NUMBER = "2026-0142"


@pytest.fixture
def server(factory: sessionmaker[Session], database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    make_user(factory, "rivera", unit="Narcotics Unit 3")
    make_case(factory, "rivera", title="Zala holdings", number=CASE_NUMBER, sensitivity="confidential")
    with transaction(factory) as session:
        import_ftm_file(
            session,
            operator_context(),
            CASE_NUMBER,
            DATA_DIR / "ftm_opensanctions_zala_slice.ftm.json",
            skip_invalid_values=True,
        )
    process, live = start_server(database_url, tmp_path)
    yield live
    stop_server(process)


def test_case_agent_flow(browser: BrowserContext, server: LiveServer, tmp_path: Path) -> None:
    page = browser.new_page()
    log_in(page, server, "rivera")
    expect(page.locator(".session-user")).to_have_text("Rivera")
    page.screenshot(path=tmp_path / "desktop-cases.png", full_page=True)

    page.get_by_role("link", name="Zala holdings").click()
    expect(page).to_have_url(f"{server.base_url}/cases/{CASE_NUMBER}")
    expect(page.locator(".sensitivity")).to_contain_text("CONFIDENTIAL")
    entities = page.locator("#entities")
    expect(entities.get_by_role("link", name="Maria Aleksandrovna Osetrova")).to_be_visible()
    expect(page.locator("#relationships .relationship").first).to_be_visible()
    page.screenshot(path=tmp_path / "desktop-case.png", full_page=True)

    entities.get_by_role("link", name="Maria Aleksandrovna Osetrova").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Aleksandrovna Osetrova")
    expect(page.locator(".provenance").first).to_contain_text("source: import")
    expect(page.locator(".provenance").first).to_contain_text("recorded by operator:")
    page.screenshot(path=tmp_path / "desktop-entity.png", full_page=True)

    page.get_by_role("link", name=CASE_NUMBER).click()
    page.get_by_label("New note").fill("Owner of the leasing company called twice from the hub number.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".flash")).to_have_text("Note added.")
    expect(page.locator("#notes .note").first).to_contain_text("called twice from the hub number")

    page.set_viewport_size(PHONE)
    page.goto(f"{server.base_url}/cases/{CASE_NUMBER}")
    expect(page.locator(".sensitivity")).to_be_visible()
    page.screenshot(path=tmp_path / "phone-case.png")
    assert horizontal_overflow(page) == 0

    entities = page.locator("#entities")
    entities.get_by_role("link", name="Maria Aleksandrovna Osetrova").click()
    page.screenshot(path=tmp_path / "phone-entity.png")
    assert horizontal_overflow(page) == 0

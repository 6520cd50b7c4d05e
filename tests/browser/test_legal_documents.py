"""A report of investigation in a real browser: drafted by the lead, approved by a supervisor.

Screenshots of the new-document form and of the approved document land in the test's temporary
folder; the document's content must fit a phone screen (390 x 844 CSS pixels).
A supervisor's page 375 CSS pixels wide, site header included, must not scroll sideways.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, ViewportSize, expect
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from tests.browser.conftest import PHONE, LiveServer, log_in, start_server, stop_server
from tests.legal.conftest import CST_NAME, SYNOPSIS, ZAKHAROV_NAME, LegalWorld, load_world, make_store
from tests.legal.conftest import database_url as database_url  # noqa: PLC0414 - a copy of the built world

pytestmark = pytest.mark.browser


@pytest.fixture
def world(
    request: pytest.FixtureRequest, backend: str, factory: sessionmaker[Session], settings: Settings
) -> LegalWorld:
    return load_world(request, backend, factory, settings, make_store(settings))


@pytest.fixture
def server(world: LegalWorld, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    process, live = start_server(database_url, tmp_path)
    yield live
    stop_server(process)


def test_draft_submit_approve(
    browser: BrowserContext, server: LiveServer, world: LegalWorld, tmp_path: Path
) -> None:
    page = browser.new_page()
    log_in(page, server, "alice")
    page.goto(f"{server.base_url}/cases/{world.number}/legal")
    page.get_by_label("Template").select_option("report_of_investigation")
    page.get_by_role("button", name="Choose the case data").click()
    page.get_by_label("Synopsis").fill(SYNOPSIS)
    page.get_by_label("Details of the investigation").fill("Registry visit.")
    page.get_by_label("Conclusion").fill("Refer to the prosecutor.")
    page.get_by_label(ZAKHAROV_NAME).first.check()
    page.get_by_label(CST_NAME).first.check()
    page.screenshot(path=str(tmp_path / "legal-new.png"), full_page=True)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved as version 1.")).to_be_visible()
    document_url = page.url
    page.get_by_role("button", name="Submit version 1 for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    expect(page.get_by_role("button", name="Approve and issue version 1")).to_have_count(0)

    page.get_by_role("button", name="Log out").click()
    reviewer = page
    log_in(reviewer, server, "sam")
    reviewer.goto(document_url)
    reviewer.get_by_role("button", name="Approve and issue version 1").click()
    expect(reviewer.get_by_text("The PDF is sealed")).to_be_visible()
    reviewer.screenshot(path=str(tmp_path / "legal-approved.png"), full_page=True)

    reviewer.set_viewport_size(PHONE)
    reviewer.reload()
    reviewer.screenshot(path=str(tmp_path / "legal-approved-phone.png"), full_page=True)
    # The page header belongs to the whole site; the document itself must fit.
    main_overflow = reviewer.evaluate(
        "() => { const m = document.querySelector('#main'); return m.scrollWidth - m.clientWidth; }"
    )
    assert main_overflow == 0


NARROW_PHONE: ViewportSize = {"width": 375, "height": 812}


def test_header_fits_narrow_phone(
    browser: BrowserContext, server: LiveServer, world: LegalWorld, tmp_path: Path
) -> None:
    """Check that the site header, whose navigation is longest for a supervisor, wraps at 375 px."""
    page = browser.new_page()
    log_in(page, server, "sam")
    page.set_viewport_size(NARROW_PHONE)
    page.goto(f"{server.base_url}/cases/{world.number}/legal")
    page.screenshot(path=str(tmp_path / "header-narrow-phone.png"), full_page=True)
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    inner_width = page.evaluate("() => window.innerWidth")
    assert scroll_width <= inner_width
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications")
    ).to_be_visible()

"""A tipster on a phone: the public tip form in Chromium at 375 x 740 CSS pixels, with no account.

The tip carries a photo; the receipt code shown afterwards adds a second message. A second run
turns JavaScript off, because the form must work without it. Screenshots land in the test's
temporary folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Playwright, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.blobs.keys import ensure_master_key
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.documents.models import Document
from casetrail.leads.models import Lead, LeadAddition
from tests.browser.conftest import CHROMIUM_ARGS, LiveServer, horizontal_overflow, start_server, stop_server

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 375, "height": 740}
CODE = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$")


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    ensure_master_key(Settings(database_url=database_url, data_dir=tmp_path / "var"))
    process, live = start_server(database_url, tmp_path)
    yield live
    stop_server(process)


def _send_tip(page: Page, server: LiveServer, photo: Path, screenshots: Path) -> str:
    page.goto(f"{server.base_url}/tips/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a tip")
    assert horizontal_overflow(page) == 0
    page.get_by_label("What happened?").fill(
        "People come and go at night at 14 Elm Street; a blue van waits."
    )
    page.get_by_label("Where?").fill("14 Elm Street")
    page.get_by_label("Vehicle number plates").fill("KX 123")
    page.get_by_label("Photos or files").set_input_files(str(photo))
    page.screenshot(path=screenshots / "phone-tip-form.png", full_page=True)
    page.get_by_role("button", name="Send tip").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your tip was received")
    assert horizontal_overflow(page) == 0
    page.screenshot(path=screenshots / "phone-tip-received.png", full_page=True)
    code = page.locator("#receipt-code").inner_text().strip()
    assert CODE.match(code), code
    assert _lines_of(page, "#receipt-code") > 1
    assert _groups_split_across_lines(page) == 0
    return code


def _lines_of(page: Page, selector: str) -> int:
    # Count the lines of groups: the code must wrap at this width for the split check to test anything.
    lines: int = page.evaluate(
        "(selector) => new Set([...document.querySelectorAll(selector + ' .receipt-group')]"
        ".map((group) => Math.round(group.getClientRects()[0].top))).size",
        selector,
    )
    return lines


def _groups_split_across_lines(page: Page) -> int:
    # An inline element broken over two lines has one client rectangle per line.
    split: int = page.evaluate(
        "() => [...document.querySelectorAll('#receipt-code .receipt-group')]"
        ".filter((group) => group.getClientRects().length > 1).length"
    )
    return split


def _add_information(page: Page, server: LiveServer, code: str) -> None:
    page.get_by_role("link", name="add information or files to your tip").click()
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    page.get_by_label("Receipt code").fill(wrong)
    page.get_by_label("What would you like to add?").fill("The van came back at midnight.")
    page.get_by_role("button", name="Add to tip").click()
    expect(page.get_by_role("alert")).to_have_text("No tip has this receipt code. Check it and try again.")
    expect(page.get_by_label("What would you like to add?")).to_have_value("The van came back at midnight.")
    expect(page.get_by_label("Receipt code")).to_have_value("")
    assert horizontal_overflow(page) == 0
    page.get_by_label("Receipt code").fill(code.lower())
    page.get_by_role("button", name="Add to tip").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you, your information was added to your tip"
    )
    assert horizontal_overflow(page) == 0


def _photo(tmp_path: Path) -> Path:
    photo = tmp_path / "van.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    return photo


def _stored(factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with transaction(factory) as session:
        leads = session.execute(select(func.count()).select_from(Lead)).scalar_one()
        documents = session.execute(select(func.count()).select_from(Document)).scalar_one()
        additions = session.execute(select(func.count()).select_from(LeadAddition)).scalar_one()
    return leads, documents, additions


def test_tip_on_phone(
    playwright: Playwright,
    chromium_path: Path,
    server: LiveServer,
    factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    browser = playwright.chromium.launch(
        executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
    )
    try:
        context = browser.new_context(viewport=SMALL_PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        code = _send_tip(page, server, _photo(tmp_path), tmp_path)
        _add_information(page, server, code)
        context.close()
    finally:
        browser.close()
    assert _stored(factory) == (1, 1, 1)


def test_tip_without_javascript(
    playwright: Playwright,
    chromium_path: Path,
    server: LiveServer,
    factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    browser = playwright.chromium.launch(
        executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
    )
    try:
        context = browser.new_context(viewport=SMALL_PHONE, java_script_enabled=False)
        page = context.new_page()
        code = _send_tip(page, server, _photo(tmp_path), tmp_path)
        _add_information(page, server, code)
        context.close()
    finally:
        browser.close()
    assert _stored(factory) == (1, 1, 1)

"""The link chart in a real browser: open it, expand a node, pin it, save the chart and reopen it.

The case contains the OpenSanctions slice around the Zala group. The chart starts with the most
connected entities; expanding one adds its neighbours from the API, saving stores positions and
pins with the case, and reloading the saved chart's address draws the same nodes in the same
places. PNG and SVG exports download from the page. Screenshots land in the test's folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.db.engine import transaction
from casetrail.exchange.ftm_import import import_ftm_file
from tests.browser.conftest import PHONE, LiveServer, horizontal_overflow, log_in, start_server, stop_server
from tests.conftest import DATA_DIR, REPO_ROOT
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser

CASE_NUMBER = "2026-0142"
CHART = "#link-chart"


VENDOR_SCRIPT = REPO_ROOT / "src" / "casetrail" / "web" / "static" / "vendor" / "cytoscape.min.js"


@pytest.fixture
def server(factory: sessionmaker[Session], database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    if not VENDOR_SCRIPT.exists():
        pytest.fail(f"{VENDOR_SCRIPT} is missing: run `make static` to install Cytoscape.js", pytrace=False)
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


def _node_count(page: Page) -> int:
    count: int = page.evaluate(f"() => document.querySelector('{CHART}').cy.nodes().length")
    return count


def _wait_for_nodes(page: Page, at_least: int) -> None:
    # Right after a reload, the chart element or its Cytoscape instance may not exist yet. A
    # predicate that throws ends the wait at once, so it returns false until both exist.
    script = (
        "n => { const chart = document.querySelector('#link-chart');"
        " return Boolean(chart && chart.cy) && chart.cy.nodes().length >= n; }"
    )
    page.wait_for_function(script, arg=at_least)


def _click_node(page: Page, node_id: str) -> None:
    """Click the node where it is drawn on the canvas, as a person would."""
    page.locator("#chart-canvas").scroll_into_view_if_needed()
    # Cytoscape.js 3.35 ignores taps for 250 ms after the page scrolls, as a person's click would be.
    page.wait_for_timeout(400)
    point = page.evaluate(
        """id => {
            const cy = document.querySelector('#link-chart').cy;
            const box = cy.container().getBoundingClientRect();
            const at = cy.getElementById(id).renderedPosition();
            return {x: box.left + at.x, y: box.top + at.y};
        }""",
        node_id,
    )
    page.mouse.click(point["x"], point["y"])


def _best_node_to_expand(page: Page) -> str:
    """Return the entity on the chart with the most links in the case, such as a sanctioned company."""
    node_id: str = page.evaluate(
        """async () => {
            const ranked = await fetch('/api/v1/cases/2026-0142/graph/centrality?betweenness=false&limit=1')
                .then(r => r.json());
            return ranked.items[0].node.id;
        }"""
    )
    return node_id


def test_expand_save_and_reopen_chart(browser: BrowserContext, server: LiveServer, tmp_path: Path) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda message: _keep_error(errors, message))
    log_in(page, server, "rivera")

    page.goto(f"{server.base_url}/cases/{CASE_NUMBER}")
    page.get_by_role("link", name="Link chart").click()
    expect(page).to_have_url(f"{server.base_url}/cases/{CASE_NUMBER}/chart")
    _wait_for_nodes(page, 12)
    expect(page.locator("#chart-status")).to_contain_text("most connected")
    page.screenshot(path=tmp_path / "chart-seed.png", full_page=True)

    hub = _best_node_to_expand(page)
    _click_node(page, hub)
    expect(page.get_by_role("button", name="Expand")).to_be_enabled()
    before = _node_count(page)
    page.get_by_role("button", name="Expand").click()
    expect(page.locator("#chart-status")).to_contain_text("Added")
    after = _node_count(page)
    assert after > before
    page.get_by_role("button", name="Communities").click()
    expect(page.locator("#chart-status")).to_contain_text("coloured by community")
    communities = page.evaluate(
        "() => document.querySelector('#link-chart').cy.nodes().filter(n => n.data('community')).length"
    )
    assert communities == after
    page.get_by_role("button", name="Pin").click()
    expect(page.get_by_role("button", name="Unpin")).to_be_visible()
    page.screenshot(path=tmp_path / "chart-expanded.png", full_page=True)

    page.get_by_label("Title").fill("Zala owners and sanctions")
    page.get_by_role("button", name="Save to case").click()
    expect(page.locator("#chart-status")).to_contain_text("Saved")
    expect(page).to_have_url(
        re.compile(re.escape(f"{server.base_url}/cases/{CASE_NUMBER}/chart?chart=") + ".+")
    )
    saved_positions = page.evaluate(
        "() => document.querySelector('#link-chart').cy.nodes().map(n => [n.id(), n.position()])"
    )

    page.reload()
    _wait_for_nodes(page, after)
    expect(page.get_by_role("heading", level=1)).to_have_text("Link chart: Zala owners and sanctions")
    expect(page.locator("#chart-status")).to_contain_text("Opened")
    reopened_positions = page.evaluate(
        "() => document.querySelector('#link-chart').cy.nodes().map(n => [n.id(), n.position()])"
    )
    pinned = page.evaluate("() => document.querySelector('#link-chart').cy.nodes('.pinned').map(n => n.id())")
    assert _node_count(page) == after
    assert sorted(map(str, reopened_positions)) == sorted(map(str, saved_positions))
    assert pinned == [hub]
    page.screenshot(path=tmp_path / "chart-reopened.png", full_page=True)

    with page.expect_download() as svg_download:
        page.get_by_role("button", name="SVG").click()
    svg = Path(svg_download.value.path()).read_text()
    with page.expect_download() as png_download:
        page.get_by_role("button", name="PNG").click()
    png = Path(png_download.value.path()).read_bytes()
    assert svg.startswith("<svg")
    assert svg.count("<circle") + svg.count("<rect ") - 1 == after
    assert png.startswith(b"\x89PNG")

    page.set_viewport_size(PHONE)
    page.reload()
    _wait_for_nodes(page, after)
    page.screenshot(path=tmp_path / "chart-phone.png", full_page=True)
    assert horizontal_overflow(page) == 0
    assert errors == []


def _keep_error(errors: list[str], message: ConsoleMessage) -> None:
    # The application serves no favicon; the browser's request for one is not the chart's doing.
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        errors.append(f"{message.text} at {message.location.get('url', '')}")

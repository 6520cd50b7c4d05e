"""The search page: form, results with marked snippets and page numbers, pages, need-to-know."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.search.scenario import HARBOUR, NIGHT, SILENT, Scenario, build_scenario
from tests.web.conftest import BrowserFactory

PURPOSE = "check whether the nickname Moonface appears in other cases"


@pytest.fixture
def scenario(factory: sessionmaker[Session]) -> Scenario:
    return build_scenario(factory)


@pytest.fixture
def okafor(browser_for: BrowserFactory, scenario: Scenario) -> TestClient:
    return browser_for("okafor")


@pytest.fixture
def rivera(browser_for: BrowserFactory, scenario: Scenario) -> TestClient:
    return browser_for("rivera")


def test_empty_form(okafor: TestClient) -> None:
    response = okafor.get("/search")
    assert response.status_code == 200
    assert 'name="q"' in response.text
    assert 'name="purpose"' in response.text
    assert f'<option value="{NIGHT}"' in response.text


def test_purpose_field_hidden_when_case_chosen(okafor: TestClient) -> None:
    response = okafor.get("/search", params={"case": NIGHT})
    assert 'name="purpose"' not in response.text


def test_result_has_mark_and_page(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get("/search", params={"q": "moonface", "case": NIGHT, "types": "document"})
    assert response.status_code == 200
    assert "<mark>Moonface</mark>" in response.text
    assert "page 3" in response.text
    assert f'href="/documents/{scenario.ledger_id}?q=moonface&amp;page=3#page-3"' in response.text


def test_entity_and_note_links(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get("/search", params={"q": "mundfeis OR midnight", "case": NIGHT})
    assert f'href="/cases/{NIGHT}/entities/{scenario.person_id}"' in response.text
    assert f'href="/cases/{NIGHT}#note-' in response.text


def test_snippet_escapes_html(okafor: TestClient, factory: sessionmaker[Session], scenario: Scenario) -> None:
    from casetrail.search.follower import sync_until_caught_up  # noqa: PLC0415
    from tests.search.scenario import add_note  # noqa: PLC0415

    add_note(factory, scenario.okafor, NIGHT, "<script>alert('zebra')</script> zebra crossing")
    sync_until_caught_up(factory)
    response = okafor.get("/search", params={"q": "zebra", "case": NIGHT})
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text
    assert "<mark>zebra</mark>" in response.text


def test_pages(okafor: TestClient, factory: sessionmaker[Session], scenario: Scenario) -> None:
    from casetrail.search.follower import sync_until_caught_up  # noqa: PLC0415
    from tests.search.scenario import add_document  # noqa: PLC0415

    for index in range(25):
        add_document(factory, scenario.night, [f"Kiosk receipt number {index}"], title=f"Receipt {index}")
    sync_until_caught_up(factory)
    first = okafor.get("/search", params={"q": "kiosk", "case": NIGHT, "types": "document"})
    second = okafor.get("/search", params={"q": "kiosk", "case": NIGHT, "types": "document", "page": 2})
    next_link = re.search(r'href="([^"]*)" rel="next"', first.text)
    assert "Page 1 of 2" in first.text
    assert next_link is not None
    assert "types=document" in next_link.group(1)
    assert second.text.count('class="result-item"') == 5


def test_page_past_the_end_names_the_last_page(okafor: TestClient) -> None:
    response = okafor.get("/search", params={"q": "moonface", "case": NIGHT, "page": 9})
    assert "Page 9 is past the last page of results, page 1." in response.text


def test_invalid_query_shows_error_in_form(okafor: TestClient) -> None:
    response = okafor.get("/search", params={"q": 'cash "wire', "case": NIGHT})
    assert response.status_code == 422
    assert "unterminated phrase" in response.text
    assert 'value="cash &#34;wire"' in response.text


def test_cross_case_without_purpose_asks_for_it(okafor: TestClient) -> None:
    response = okafor.get("/search", params={"q": "moonface"})
    assert response.status_code == 422
    assert "stated purpose" in response.text


def test_cross_case_with_purpose(okafor: TestClient) -> None:
    response = okafor.get("/search", params={"q": "moonface", "purpose": PURPOSE})
    assert response.status_code == 200
    assert SILENT in response.text
    assert "Moonface" in response.text


# -- need to know -------------------------------------------------------------------------------


def test_case_not_on_reads_as_missing(okafor: TestClient) -> None:
    hidden = okafor.get("/search", params={"q": "moonface", "case": HARBOUR})
    missing = okafor.get("/search", params={"q": "moonface", "case": "2026-9999"})
    assert hidden.status_code == 404
    assert missing.status_code == 404
    assert "harbour office" not in hidden.text


def test_cross_case_finds_nothing_from_case_not_on(rivera: TestClient, scenario: Scenario) -> None:
    response = rivera.get("/search", params={"q": "moonface OR ledger OR informant", "purpose": PURPOSE})
    assert response.status_code == 200
    assert HARBOUR in response.text
    assert NIGHT not in response.text
    assert scenario.ledger_id not in response.text


def test_case_not_on_absent_from_case_choice(rivera: TestClient) -> None:
    response = rivera.get("/search")
    assert f'<option value="{NIGHT}"' not in response.text


def test_case_above_clearance_hidden(browser_for: BrowserFactory, scenario: Scenario) -> None:
    hale = browser_for("hale")
    direct = hale.get("/search", params={"q": "moonface", "case": SILENT})
    across = hale.get("/search", params={"q": "moonface OR informant", "purpose": PURPOSE})
    assert direct.status_code == 404
    assert SILENT not in across.text
    assert "source protection" not in across.text


def test_nav_links_search(okafor: TestClient) -> None:
    assert 'href="/search"' in okafor.get("/cases").text


def test_document_link_opens_the_viewer(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get("/search", params={"q": "moonface", "case": NIGHT, "types": "document"})
    link = f"/documents/{scenario.ledger_id}?q=moonface&page=3"
    assert link.replace("&", "&amp;") in response.text
    viewer = okafor.get(link)
    assert viewer.status_code == 200
    assert 'id="page-3"' in viewer.text

"""The link chart page: served to case members with the chart's settings, hidden from others."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.db.engine import transaction
from casetrail.graph import charts
from tests.factories import context_for, make_case, make_user
from tests.web.conftest import BrowserFactory

NUMBER = "2026-0142"
_SCRIPT_OR_STYLE_INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE
)


@pytest.fixture
def chart_id(factory: sessionmaker[Session]) -> str:
    okafor = make_user(factory, "okafor", unit="Narcotics Unit 3")
    make_user(factory, "rivera", unit="Robbery Unit")
    make_case(factory, "okafor", title="Night visits", number=NUMBER)
    with transaction(factory) as session:
        chart = charts.create_chart(
            session, context_for(okafor), NUMBER, title="Hub review", payload={"nodes": [], "layout": "cose"}
        )
        return chart.id


def test_chart_page_for_member(browser_for: BrowserFactory, chart_id: str) -> None:
    response = browser_for("okafor").get(f"/cases/{NUMBER}/chart")
    assert response.status_code == 200
    assert f'data-case="{NUMBER}"' in response.text
    assert 'data-can-write="true"' in response.text
    assert '<meta name="csrf-token" content="' in response.text
    assert '<script src="/static/vendor/cytoscape.min.js" defer></script>' in response.text
    assert f'href="/cases/{NUMBER}/chart?chart={chart_id}">Hub review</a>' in response.text


def test_chart_page_opens_saved_chart(browser_for: BrowserFactory, chart_id: str) -> None:
    response = browser_for("okafor").get(f"/cases/{NUMBER}/chart", params={"chart": chart_id})
    assert f'data-chart="{chart_id}"' in response.text
    assert "<h1>Link chart: Hub review</h1>" in response.text
    assert f"/api/v1/cases/{NUMBER}/graph/charts/{chart_id}/export?format=anx" in response.text


def test_chart_page_has_no_inline_script_or_style(browser_for: BrowserFactory, chart_id: str) -> None:
    response = browser_for("okafor").get(f"/cases/{NUMBER}/chart")
    assert _SCRIPT_OR_STYLE_INLINE.findall(response.text) == []
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_case_page_links_to_chart(browser_for: BrowserFactory, chart_id: str) -> None:
    response = browser_for("okafor").get(f"/cases/{NUMBER}")
    assert f'<a href="/cases/{NUMBER}/chart">Link chart</a>' in response.text


def test_chart_page_hidden_from_other_unit(browser_for: BrowserFactory, chart_id: str) -> None:
    rivera = browser_for("rivera")
    hidden = rivera.get(f"/cases/{NUMBER}/chart", params={"chart": chart_id})
    missing = rivera.get("/cases/2026-0143/chart", params={"chart": chart_id})
    assert hidden.status_code == 404
    assert hidden.text.replace("0142", "NNNN") == missing.text.replace("0143", "NNNN")
    assert "Hub review" not in hidden.text


def test_static_files_of_chart_are_served(browser_for: BrowserFactory, chart_id: str) -> None:
    client = browser_for("okafor")
    script = client.get("/static/graph.js")
    icon = client.get("/static/graph-icons/person.svg")
    assert script.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")

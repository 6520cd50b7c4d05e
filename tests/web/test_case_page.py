"""The case list and the case page: what they show, and opening a case through the form."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.db.engine import transaction
from casetrail.exchange.ftm_import import import_ftm_file
from tests.conftest import DATA_DIR
from tests.factories import make_case, make_user
from tests.web.conftest import BrowserFactory
from tests.web.html import post_form

ZALA_FILE = DATA_DIR / "ftm_opensanctions_zala_slice.ftm.json"


def _import_zala(factory: sessionmaker[Session], number: str) -> None:
    with transaction(factory) as session:
        import_ftm_file(session, operator_context(), number, ZALA_FILE, skip_invalid_values=True)


def test_case_page_shows_every_section(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", title="Zala holdings", number="2026-0142", sensitivity="confidential")
    _import_zala(factory, case.number)
    client = browser_for("alice")

    page = client.get(f"/cases/{case.number}")

    assert page.status_code == 200
    for section in ("overview", "members", "notes", "tasks", "entities", "relationships", "merges", "import"):
        assert f'id="{section}"' in page.text, section
    assert 'class="sensitivity sensitivity-confidential"' in page.text
    assert "CONFIDENTIAL" in page.text
    assert "Unit A" in page.text
    assert "case opened" in page.text


def test_case_page_lists_entities_and_relationships(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    _import_zala(factory, case.number)
    client = browser_for("alice")

    people = client.get(f"/cases/{case.number}?schema=Person")
    owners = client.get(f"/cases/{case.number}?kind=Ownership")

    assert people.status_code == 200
    assert "Maria Aleksandrovna Osetrova" in people.text
    assert "6 in all" in people.text
    assert owners.status_code == 200
    assert "owns" in owners.text
    assert "14 in all" in owners.text


def test_entity_list_pages(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    _import_zala(factory, case.number)
    client = browser_for("alice")

    first = client.get(f"/cases/{case.number}")
    second = client.get(f"/cases/{case.number}?page=2")

    # 91 entities: 70 people, organisations and things, and 21 relationships.
    assert "Page 1 of 2 · 70 in all" in first.text
    assert "?page=2#entities" in first.text
    assert "Page 2 of 2 · 70 in all" in second.text
    assert "Page 1 of 2 · 21 in all" in first.text
    assert "?rel_page=2#relationships" in first.text


def test_open_case_through_form(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    client = browser_for("alice")

    response = post_form(
        client,
        "/cases",
        "/cases",
        {"title": "Harbour thefts", "summary": "Containers opened at night.", "sensitivity": "restricted"},
    )

    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/cases/")
    page = client.get(location)
    assert "Harbour thefts" in page.text
    assert "Containers opened at night." in page.text
    assert "opened." in page.text


def test_analyst_cannot_open_case(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "ann", role="analyst")
    client = browser_for("ann")

    page = client.get("/cases")
    response = post_form(client, "/cases", "/cases", {"title": "Not allowed"})

    assert 'id="new-case"' not in page.text
    assert response.status_code == 403
    assert "only investigators and supervisors open cases" in response.text.lower()
    assert 'href="/cases">Back to the form' in response.text


def test_case_list_filters_by_status(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    make_case(factory, "alice", title="Harbour thefts", number="2026-0200")
    client = browser_for("alice")

    open_cases = client.get("/cases?status=open")
    closed_cases = client.get("/cases?status=closed")

    assert "Harbour thefts" in open_cases.text
    assert "Harbour thefts" not in closed_cases.text


def test_page_escapes_case_content(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", title="<script>alert(1)</script>", number="2026-0142")
    client = browser_for("alice")

    page = client.get(f"/cases/{case.number}")

    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_pages_send_security_headers(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    client = browser_for("alice")

    page = client.get("/cases")

    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"

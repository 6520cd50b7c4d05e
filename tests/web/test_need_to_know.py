"""Need to know in the web UI: a case a user may not see looks exactly like a missing case."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_case, make_user
from tests.web.conftest import BrowserFactory

_REQUEST_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_hidden_case_reads_as_missing(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice", unit="Unit A")
    make_user(factory, "bob", unit="Unit B")
    case = make_case(factory, "alice", title="Zala holdings", number="2026-0142")
    bob = browser_for("bob")

    hidden = bob.get(f"/cases/{case.number}")
    missing = bob.get("/cases/2026-0143")

    assert hidden.status_code == 404
    assert missing.status_code == 404
    assert hidden.text.replace("0142", "NNNN") == missing.text.replace("0143", "NNNN")
    assert "Zala" not in hidden.text
    assert _REQUEST_ID.search(hidden.text) is None


def test_hidden_entity_page_reads_as_missing(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    make_user(factory, "alice", unit="Unit A")
    make_user(factory, "bob", unit="Unit B")
    case = make_case(factory, "alice", number="2026-0142")
    bob = browser_for("bob")

    response = bob.get(f"/cases/{case.number}/entities/some-entity")

    assert response.status_code == 404
    assert "Not found" in response.text


def test_case_list_leaves_out_hidden_cases(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    make_user(factory, "alice", unit="Unit A")
    make_user(factory, "bob", unit="Unit B")
    alices = make_case(factory, "alice", title="Zala holdings", number="2026-0142")
    bobs = make_case(factory, "bob", title="Harbour thefts", number="2026-0200")
    bob = browser_for("bob")

    page = bob.get("/cases")

    assert page.status_code == 200
    assert bobs.number in page.text
    assert "Harbour thefts" in page.text
    assert alices.number not in page.text
    assert "Zala" not in page.text


def test_text_filter_cannot_find_hidden_case(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    make_user(factory, "alice", unit="Unit A")
    make_user(factory, "bob", unit="Unit B")
    make_case(factory, "alice", title="Zala holdings", number="2026-0142")
    bob = browser_for("bob")

    page = bob.get("/cases?q=zala")

    assert "Zala" not in page.text
    assert "No cases to show" in page.text


def test_anonymous_case_page_redirects_to_login(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")
    client.cookies.clear()

    response = client.get(f"/cases/{case.number}", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/cases/{case.number}"

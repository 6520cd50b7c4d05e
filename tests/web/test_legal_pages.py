"""Legal document pages: create from a template, edit, workflow buttons for who may act, redaction."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from casetrail.legal.render import shipped_file
from tests.factories import make_user
from tests.legal.conftest import CST, SYNOPSIS, ZAKHAROV, LegalWorld, load_world, make_store
from tests.legal.conftest import database_url as database_url  # noqa: PLC0414 - a copy of the built world
from tests.legal.pdftext import pypdf_text
from tests.web.conftest import BrowserFactory
from tests.web.html import csrf_token, hidden_value, post_form


@pytest.fixture
def world(
    request: pytest.FixtureRequest, backend: str, factory: sessionmaker[Session], settings: Settings
) -> LegalWorld:
    return load_world(request, backend, factory, settings, make_store(settings))


def _create(browser: TestClient, world: LegalWorld) -> str:
    page = f"/cases/{world.number}/legal/new?template=report_of_investigation"
    form = browser.get(page)
    assert form.status_code == 200, form.text
    response = browser.post(
        f"/cases/{world.number}/legal",
        data={
            "csrf_token": csrf_token(form.text),
            "template": "report_of_investigation",
            "title": "Report on CST",
            "subjects": [ZAKHAROV, CST],
            "evidence": [world.item_number],
            "section_synopsis": SYNOPSIS,
            "section_details": "Registry visit.",
            "section_conclusion": "Refer.",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    match = re.search(r"/legal/([0-9a-f-]{36})$", location)
    assert match is not None
    return match.group(1)


def test_new_form_offers_case_data(browser_for: BrowserFactory, world: LegalWorld) -> None:
    page = browser_for("alice").get(f"/cases/{world.number}/legal/new?template=report_of_investigation")
    assert page.status_code == 200
    assert 'name="section_synopsis"' in page.text
    assert f'value="{ZAKHAROV}"' in page.text
    assert f'value="{world.item_number}"' in page.text


def test_create_and_list(browser_for: BrowserFactory, world: LegalWorld) -> None:
    alice = browser_for("alice")
    document_id = _create(alice, world)
    listing = alice.get(f"/cases/{world.number}/legal")
    assert "Report on CST" in listing.text
    pdf = alice.get(f"/cases/{world.number}/legal/{document_id}/document.pdf")
    assert SYNOPSIS in pypdf_text(pdf.content)


def test_buttons_shown_only_to_who_may_act(browser_for: BrowserFactory, world: LegalWorld) -> None:
    alice = browser_for("alice")
    document_id = _create(alice, world)
    url = f"/cases/{world.number}/legal/{document_id}"
    page = alice.get(url)
    response = post_form(
        alice, url, f"{url}/submit", {"expected_version": hidden_value(page.text, "expected_version")}
    )
    assert response.status_code == 303
    assert "Approve and issue" not in alice.get(url).text
    sam = browser_for("sam")
    assert "Approve and issue" in sam.get(url).text
    carol = browser_for("carol")
    assert "Approve and issue" not in carol.get(url).text


def test_approve_return_and_redact(browser_for: BrowserFactory, world: LegalWorld) -> None:
    alice = browser_for("alice")
    sam = browser_for("sam")
    document_id = _create(alice, world)
    url = f"/cases/{world.number}/legal/{document_id}"
    post_form(
        alice,
        url,
        f"{url}/submit",
        {"expected_version": hidden_value(alice.get(url).text, "expected_version")},
    )
    returned = post_form(
        sam,
        url,
        f"{url}/return",
        {
            "expected_version": hidden_value(sam.get(url).text, "expected_version"),
            "comment": "Cite the register.",
        },
    )
    assert returned.status_code == 303
    assert "Cite the register." in alice.get(url).text

    edit = alice.get(url)
    saved = post_form(
        alice,
        url,
        f"{url}/edit",
        {
            "expected_version": hidden_value(edit.text, "expected_version"),
            "title": "Report on CST",
            "section_synopsis": "Revised synopsis citing the register.",
            "section_details": "Registry visit.",
            "section_conclusion": "Refer.",
            "subjects": ZAKHAROV,
        },
    )
    assert saved.status_code == 303, saved.text
    post_form(
        alice,
        url,
        f"{url}/submit",
        {"expected_version": hidden_value(alice.get(url).text, "expected_version")},
    )
    approved = post_form(
        sam, url, f"{url}/approve", {"expected_version": hidden_value(sam.get(url).text, "expected_version")}
    )
    assert approved.status_code == 303
    page = alice.get(url)
    assert "The PDF is sealed" in page.text
    assert "Issue redacted copy" in page.text

    redacted = post_form(alice, url, f"{url}/redact", {"entities": ZAKHAROV, "passages": "register"})
    assert redacted.status_code == 303
    copy_pdf = alice.get(redacted.headers["location"] + "/document.pdf").content
    text = pypdf_text(copy_pdf)
    assert "Zakharov" not in text
    assert "register" not in text.lower()


def test_admin_template_error_names_line(browser_for: BrowserFactory, world: LegalWorld) -> None:
    make_user(world.factory, "adam", role="administrator", unit=None)
    adam = browser_for("adam")
    page = adam.get("/legal/templates/new")
    assert page.status_code == 200
    response = adam.post(
        "/legal/templates",
        data={
            "csrf_token": csrf_token(page.text),
            "key": "witness_statement",
            "source": '= Statement\n\n#prose(field("summary")\n',
            "definition": shipped_file("case_summary.toml"),
        },
    )
    assert response.status_code == 422
    assert "template witness_statement, line 3" in response.text

"""The evidence register in the web UI: registering items, the register list, need to know, CSRF."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.evidence.models import EvidenceItem
from tests.web.conftest import BrowserFactory
from tests.web.evidence_helpers import (
    CASE_NUMBER,
    REGISTER_URL,
    item_fields,
    item_url,
    make_evidence_case,
    register_phone,
    register_through_form,
    upload_through_form,
)
from tests.web.html import csrf_token


def _item_count(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as session:
        return len(session.execute(select(EvidenceItem.id)).all())


def test_register_item_through_form(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    world = make_evidence_case(factory, settings)
    alice = browser_for("alice")

    response = register_through_form(alice, item_fields(obtained_from_entity_id=world.owner_id))

    assert response.status_code == 303, response.text
    assert response.headers["location"] == item_url("E-0001")
    page = alice.get(response.headers["location"])
    assert page.status_code == 200
    assert "Item E-0001 registered." in page.text
    assert "Black smartphone, cracked screen" in page.text
    assert "S-1001" in page.text
    assert "Mira Kovac" in page.text
    stored = world.item("E-0001").item
    assert stored.category == "device"
    assert stored.obtained_at == datetime(2026, 3, 14, 5, 30, tzinfo=UTC)
    assert stored.obtained_method == "search warrant"
    assert stored.obtained_place == "12 Elm St, kitchen"
    assert stored.obtained_by == "alice"
    assert stored.obtained_from_entity_id == world.owner_id
    assert stored.storage_location == "Evidence room 2"
    assert stored.custodian_user_id == world.alice.id


def test_register_form_takes_every_field(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    world = make_evidence_case(factory, settings)
    alice = browser_for("alice")

    number = register_phone(
        alice,
        item_number="2026/0142/7",
        category="currency",
        description="Cash, 40 notes of 50 EUR",
        obtained_by="Sgt. Okafor",
        holder_location="Safe 1, HQ",
        entity_ids=world.owner_id,
        notes="Counted twice at the scene.",
    )

    assert number == "2026/0142/7"
    view = world.item(number)
    assert view.item.category == "currency"
    assert view.item.obtained_by == "Sgt. Okafor"
    assert view.custodian.location == "Safe 1, HQ"
    assert view.custodian.user_id is None
    assert view.entity_ids == [world.owner_id]
    page = alice.get(item_url(number))
    assert page.status_code == 200
    assert "Counted twice at the scene." in page.text
    assert "Safe 1, HQ" in page.text


def test_register_lists_items(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    register_phone(alice)
    register_phone(
        alice, category="document", description="Notebook with phone numbers", seal_number="S-1002"
    )

    page = alice.get(REGISTER_URL)

    assert page.status_code == 200
    assert f'href="{item_url("E-0001")}"' in page.text
    assert f'href="{item_url("E-0002")}"' in page.text
    assert "Notebook with phone numbers" in page.text
    assert "S-1002" in page.text
    assert '<span class="holder-person">alice</span>' in page.text
    assert "2 items" in page.text


def test_register_filters_by_status(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    register_phone(alice)

    in_lab = alice.get(f"{REGISTER_URL}?status=in_lab")
    in_custody = alice.get(f"{REGISTER_URL}?status=in_custody")

    assert "No item has the status in lab." in in_lab.text
    assert item_url("E-0001") not in in_lab.text
    assert item_url("E-0001") in in_custody.text


def test_register_invalid_time_shows_field(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")

    response = register_through_form(alice, item_fields(obtained_at_offset="+25:00"))

    assert response.status_code == 422
    assert "obtained at offset" in response.text
    assert "Back to the form" in response.text
    assert _item_count(factory) == 0


def test_digital_item_needs_files(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")

    response = register_through_form(alice, item_fields(evidence_form="digital"))

    assert response.status_code == 422
    assert "digital evidence is registered with its files" in response.text.lower()
    assert _item_count(factory) == 0


def test_digital_item_registered_with_files(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")

    response = register_through_form(
        alice,
        item_fields(evidence_form="digital", category="media", description="Forensic image of the phone"),
        files=[("files", ("phone.img", b"\x00\x01image bytes", "application/octet-stream"))],
    )

    assert response.status_code == 303
    page = alice.get(response.headers["location"])
    assert "Item E-0001 registered. 1 file added." in page.text
    assert "phone.img" in page.text


def test_case_page_links_to_register(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")

    page = alice.get(f"/cases/{CASE_NUMBER}")

    assert f'href="{REGISTER_URL}"' in page.text


def test_missing_item_is_not_found(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")

    response = alice.get(item_url("E-0404"))

    assert response.status_code == 404
    assert "Not found" in response.text


def test_register_post_without_csrf_token_is_rejected(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")

    missing = alice.post(REGISTER_URL, data=item_fields(), follow_redirects=False)
    forged = alice.post(REGISTER_URL, data={**item_fields(), "csrf_token": "forged"}, follow_redirects=False)

    assert missing.status_code == 403
    assert "CSRF" in missing.text
    assert forged.status_code == 403
    assert _item_count(factory) == 0


def test_upload_without_csrf_token_is_rejected(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    world = make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)

    response = alice.post(
        item_url(number, "/files"),
        files=[("files", ("note.txt", b"seen at the port", "text/plain"))],
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert "CSRF" in response.text
    page = alice.get(item_url(number))
    assert "note.txt" not in page.text
    assert world.item(number).item.custody_seq == 1


# -- need to know ----------------------------------------------------------------------------------

_HIDDEN_PATHS = {
    "register": REGISTER_URL,
    "item page": item_url("E-0001"),
    "label": item_url("E-0001", "/label.pdf"),
    "item report": item_url("E-0001", "/custody-report.pdf"),
    "case report": f"/cases/{CASE_NUMBER}/evidence-report.pdf",
}
_FILE_ID = re.compile(r'/files/([0-9a-f-]{36})"')


def test_outsider_gets_not_found_everywhere(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    assert upload_through_form(alice, number, [("image.bin", b"forensic image")]).status_code == 303
    file_match = _FILE_ID.search(alice.get(item_url(number)).text)
    assert file_match is not None
    eve = browser_for("eve")
    missing_case = eve.get("/cases/2026-0999/evidence")

    paths = {**_HIDDEN_PATHS, "download": item_url(number, f"/files/{file_match.group(1)}")}
    for name, path in paths.items():
        response = eve.get(path)
        assert response.status_code == 404, name
        assert response.headers["content-type"].startswith("text/html"), name
        assert "Not found" in response.text, name
        assert "Black smartphone" not in response.text, name
    register = eve.get(REGISTER_URL)
    assert register.text.replace("0142", "NNNN") == missing_case.text.replace("0999", "NNNN")


def test_outsider_cannot_post_to_register(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    eve = browser_for("eve")
    token = csrf_token(eve.get("/cases").text)

    response = eve.post(REGISTER_URL, data={**item_fields(), "csrf_token": token}, follow_redirects=False)

    assert response.status_code == 404
    assert _item_count(factory) == 0

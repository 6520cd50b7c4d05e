"""Custody through the item page: two-step handovers, locations, status, seals and corrections."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.evidence import custody
from tests.factories import context_for
from tests.web.conftest import BrowserFactory
from tests.web.evidence_helpers import (
    REGISTER_URL,
    EvidenceCase,
    item_url,
    make_evidence_case,
    post_item_form,
    register_phone,
)
from tests.web.html import hidden_value

RELEASE = {
    "receiver": "bob",
    "purpose": "lab_analysis",
    "occurred_at": "2026-03-14T09:00",
    "occurred_at_offset": "+01:00",
    "location": "Evidence office, HQ",
    "seal_number": "",
    "condition": "seal intact",
    "notes": "",
}


def _event_types(world: EvidenceCase, item_number: str) -> list[str]:
    with transaction(world.factory) as session:
        events = custody.custody_log(session, context_for(world.alice), "2026-0142", item_number)
        return [event.event_type for event in events]


def _event_block(html: str, seq: int) -> str:
    """Return the HTML of custody event ``seq`` on the item page."""
    match = re.search(
        rf'<li class="custody-event[^"]*" id="event-{seq}">(.*?)</li>\s*(?=<li class="custody|</ol>)',
        html,
        re.S,
    )
    assert match is not None, f"no event {seq} on the page"
    return match.group(1)


def test_release_and_accept(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    world = make_evidence_case(factory, settings)
    alice = browser_for("alice")
    bob = browser_for("bob")
    number = register_phone(alice)

    released = post_item_form(alice, number, "/release", RELEASE)

    assert released.status_code == 303
    assert released.headers["location"] == item_url(number, "#custody")
    alices_page = alice.get(item_url(number))
    assert "in transit to bob" in alices_page.text
    assert "Accept the item" not in alices_page.text
    assert "Cancel the release" in alices_page.text
    assert "in transit to bob" in alice.get(REGISTER_URL).text
    in_transit = world.item(number)
    assert in_transit.custodian.user_id == world.alice.id
    assert in_transit.pending_receiver is not None
    assert in_transit.pending_receiver.user_id == world.bob.id

    refused = post_item_form(alice, number, "/accept", {"occurred_at": ""})

    assert refused.status_code == 403
    assert f"Only the person {number} of case 2026-0142 was released to can accept it." in refused.text
    assert f'href="{item_url(number)}"' in refused.text
    assert "Back to the form" in refused.text
    assert world.item(number).custodian.user_id == world.alice.id

    bobs_page = bob.get(item_url(number))
    assert "Released to you" in bobs_page.text
    assert "Accept the item" in bobs_page.text
    accepted = post_item_form(
        bob, number, "/accept", {"condition": "seal intact", "location": "Lab reception"}
    )

    assert accepted.status_code == 303
    holder = world.item(number)
    assert holder.custodian.user_id == world.bob.id
    assert not holder.in_transit
    page = bob.get(item_url(number))
    assert '<span class="holder-person">bob</span>' in page.text
    assert "in transit to" not in page.text
    assert _event_types(world, number) == ["intake", "release", "accept"]
    accept_event = _event_block(page.text, 3)
    assert "Accepted" in accept_event
    assert 'href="#event-2"' in accept_event
    assert "Lab reception" in accept_event


def test_release_event_shows_handover(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)

    post_item_form(alice, number, "/release", RELEASE)
    release = _event_block(alice.get(item_url(number)).text, 2)

    assert "Released" in release
    assert '<span class="party">alice</span>' in release
    assert '<span class="party">bob</span>' in release
    assert "lab analysis" in release
    assert "2026-03-14 08:00 UTC" in release
    assert "Evidence office, HQ" in release
    assert "S-1001" in release
    assert "seal intact" in release
    assert "Recorded by alice" in release


def test_releaser_cancels_release(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    world = make_evidence_case(factory, settings)
    alice = browser_for("alice")
    bob = browser_for("bob")
    number = register_phone(alice)
    post_item_form(alice, number, "/release", RELEASE)

    by_receiver = post_item_form(bob, number, "/cancel-release", {"reason": "not mine"})
    by_releaser = post_item_form(alice, number, "/cancel-release", {"reason": "released to the wrong person"})

    assert by_receiver.status_code == 403
    assert "only the person who released" in by_receiver.text.lower()
    assert by_releaser.status_code == 303
    assert not world.item(number).in_transit
    assert _event_types(world, number) == ["intake", "release", "cancel_release"]
    page = alice.get(item_url(number))
    assert "released to the wrong person" in page.text


def test_only_custodian_sees_handover_forms(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    make_evidence_case(factory, settings)
    alice = browser_for("alice")
    bob = browser_for("bob")
    number = register_phone(alice)

    alices_page = alice.get(item_url(number)).text
    bobs_page = bob.get(item_url(number)).text

    assert "Release to a person" in alices_page
    assert "Release to a person" not in bobs_page
    assert "Only the custodian, alice, records custody steps for this item." in bobs_page
    refused = post_item_form(bob, number, "/release", {**RELEASE, "receiver": "alice"})
    assert refused.status_code == 403
    assert "only the current custodian" in refused.text.lower()


def test_transfer_to_location(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    world = make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)

    response = post_item_form(
        alice, number, "/transfer", {"to_location": "Evidence room 3, shelf B", "purpose": "storage"}
    )

    assert response.status_code == 303
    view = world.item(number)
    assert view.custodian.user_id is None
    assert view.custodian.location == "Evidence room 3, shelf B"
    register = alice.get(REGISTER_URL).text
    assert '<span class="holder-location">Evidence room 3, shelf B</span>' in register


def test_status_change_records_reason(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    world = make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    version = hidden_value(alice.get(item_url(number)).text, "expected_version")

    without_reason = post_item_form(
        alice, number, "/status", {"to_status": "in_lab", "reason": " ", "expected_version": version}
    )
    with_reason = post_item_form(
        alice,
        number,
        "/status",
        {"to_status": "in_lab", "reason": "extraction of the call log", "expected_version": version},
    )

    assert without_reason.status_code == 422
    assert with_reason.status_code == 303
    assert world.item(number).item.status == "in_lab"
    status_event = _event_block(alice.get(item_url(number)).text, 2)
    assert "Status changed" in status_event
    assert "in custody → in lab" in status_event
    assert "extraction of the call log" in status_event


def test_seal_change_shows_old_and_new(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    world = make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    version = hidden_value(alice.get(item_url(number)).text, "expected_version")

    response = post_item_form(
        alice,
        number,
        "/seal",
        {"new_seal_number": "S-2002", "expected_version": version, "notes": "lab opened the bag"},
    )

    assert response.status_code == 303
    assert world.item(number).item.seal_number == "S-2002"
    seal_event = _event_block(alice.get(item_url(number)).text, 2)
    assert "S-1001 → S-2002" in seal_event
    assert "lab opened the bag" in seal_event


def test_timeline_shows_corrections(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    world = make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    with transaction(world.factory) as session:
        intake = custody.custody_log(session, context_for(world.alice), "2026-0142", number)[0]

    response = post_item_form(
        alice,
        number,
        "/corrections",
        {
            "event_id": intake.id,
            "location": "12 Elm St, garage",
            "occurred_at": "2026-03-14T06:45",
            "occurred_at_offset": "+01:00",
            "reason": "the phone was found in the garage",
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == item_url(number, "#event-2")
    page = alice.get(item_url(number)).text
    correction = _event_block(page, 2)
    original = _event_block(page, 1)
    assert "Correction" in correction
    assert 'href="#event-1">event #1</a>' in correction
    assert "12 Elm St, garage" in correction
    assert "2026-03-14 05:45 UTC" in correction
    assert "the phone was found in the garage" in correction
    assert 'href="#event-2">corrected by #2</a>' in original
    assert "12 Elm St, kitchen" in original
    assert "Hash chain verified: 2 events" in page


def test_correction_needs_a_field(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    world = make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    with transaction(world.factory) as session:
        intake = custody.custody_log(session, context_for(world.alice), "2026-0142", number)[0]

    response = post_item_form(alice, number, "/corrections", {"event_id": intake.id, "reason": "typo"})

    assert response.status_code == 422
    assert "restates at least one field" in response.text
    assert _event_types(world, number) == ["intake"]


def test_link_and_unlink_entity(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    world = make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)

    linked = post_item_form(alice, number, "/entities", {"entity_id": world.owner_id})

    assert linked.status_code == 303
    assert world.item(number).entity_ids == [world.owner_id]
    page = alice.get(item_url(number)).text
    assert f'href="/cases/2026-0142/entities/{world.owner_id}">Mira Kovac</a>' in page

    unlinked = post_item_form(alice, number, f"/entities/{world.owner_id}/remove", {})

    assert unlinked.status_code == 303
    assert world.item(number).entity_ids == []


def test_edit_item_details(
    factory: sessionmaker[Session], settings: Settings, browser_for: BrowserFactory
) -> None:
    world = make_evidence_case(factory, settings)
    alice = browser_for("alice")
    number = register_phone(alice)
    version = hidden_value(alice.get(item_url(number)).text, "expected_version")

    response = post_item_form(
        alice,
        number,
        "/details",
        {
            "expected_version": version,
            "description": "Black smartphone, cracked screen, SIM removed",
            "category": "device",
            "obtained_method": "search warrant",
            "obtained_at": "2026-03-14T06:30",
            "obtained_at_offset": "+01:00",
            "obtained_place": "12 Elm St, kitchen",
            "obtained_by": "alice",
            "obtained_from_entity_id": world.owner_id,
            "storage_location": "Evidence room 2",
        },
    )

    assert response.status_code == 303
    item = world.item(number).item
    assert item.description == "Black smartphone, cracked screen, SIM removed"
    assert item.obtained_from_entity_id == world.owner_id

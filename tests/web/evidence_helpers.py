"""Shared setup of the evidence page tests: a case with members, an entity, and form posts.

alice leads case 2026-0142 and bob investigates on it. eve works in another unit and is not on
the case. The blob master key is created in the test's data directory, as ``casetrail init``
does, so uploads work.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.auth.models import User
from casetrail.blobs.keys import ensure_master_key
from casetrail.cases.members import add_member
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.entities import service as entity_service
from casetrail.entities.statements import Source, SourceType
from casetrail.evidence import items
from casetrail.evidence.items import ItemView
from tests.factories import context_for, make_case, make_user
from tests.web.html import csrf_token

CASE_NUMBER = "2026-0142"
REGISTER_URL = f"/cases/{CASE_NUMBER}/evidence"
# An empty file input still sends one part, with no file name and no content.
NO_FILE = {"files": ("", b"", "application/octet-stream")}


@dataclass
class EvidenceCase:
    factory: sessionmaker[Session]
    alice: User
    bob: User
    eve: User
    owner_id: str
    """A Person entity of the case, the owner of the seized items."""

    def item(self, item_number: str, user: User | None = None) -> ItemView:
        with transaction(self.factory) as session:
            return items.get_item(session, context_for(user or self.alice), CASE_NUMBER, item_number)


def make_evidence_case(factory: sessionmaker[Session], settings: Settings) -> EvidenceCase:
    ensure_master_key(settings)
    alice = make_user(factory, "alice", unit="Unit A")
    bob = make_user(factory, "bob", unit="Unit A")
    eve = make_user(factory, "eve", unit="Unit B")
    make_case(factory, "alice", title="House on Elm St", number=CASE_NUMBER)
    with transaction(factory) as session:
        add_member(session, operator_context(), CASE_NUMBER, username="bob", role="investigator")
        owner = entity_service.create_entity(
            session,
            context_for(alice),
            CASE_NUMBER,
            schema="Person",
            properties={"name": ["Mira Kovac"]},
            source=Source(SourceType.MANUAL),
        )
    return EvidenceCase(factory, alice, bob, eve, str(owner.record.entity_id))


def item_url(item_number: str, suffix: str = "") -> str:
    return f"{REGISTER_URL}/{item_number}{suffix}"


def item_fields(**changes: str) -> dict[str, str]:
    """Return the register form's fields for a seized phone, with ``changes`` applied."""
    fields = {
        "evidence_form": "physical",
        "category": "device",
        "description": "Black smartphone, cracked screen",
        "item_number": "",
        "seal_number": "S-1001",
        "obtained_at": "2026-03-14T06:30",
        "obtained_at_offset": "+01:00",
        "obtained_method": "search warrant",
        "obtained_place": "12 Elm St, kitchen",
        "obtained_by": "",
        "obtained_from_entity_id": "",
        "storage_location": "Evidence room 2",
        "holder_location": "",
        "condition": "sealed bag, intact",
        "notes": "",
    }
    fields.update(changes)
    return fields


def register_through_form(
    client: TestClient,
    fields: dict[str, str],
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
) -> Response:
    """Open the register page and post its multipart form, as the browser sends it."""
    page = client.get(REGISTER_URL)
    assert page.status_code == 200, page.text
    return client.post(
        REGISTER_URL,
        data={**fields, "csrf_token": csrf_token(page.text)},
        files=files or [("files", NO_FILE["files"])],
        headers={"referer": f"http://testserver{REGISTER_URL}"},
        follow_redirects=False,
    )


def register_phone(client: TestClient, **changes: str) -> str:
    """Register the phone through the form and return its item number."""
    response = register_through_form(client, item_fields(**changes))
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(f"{REGISTER_URL}/")
    return location.removeprefix(f"{REGISTER_URL}/")


def post_item_form(
    client: TestClient, item_number: str, action: str, data: dict[str, str], page_suffix: str = ""
) -> Response:
    """Open the item page, then post ``data`` to the item's ``action`` with the page's CSRF token."""
    page_url = item_url(item_number, page_suffix)
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    return client.post(
        item_url(item_number, action),
        data={**data, "csrf_token": csrf_token(page.text)},
        headers={"referer": f"http://testserver{page_url}"},
        follow_redirects=False,
    )


def upload_through_form(
    client: TestClient,
    item_number: str,
    files: list[tuple[str, bytes]],
    *,
    kind: str = "original",
    derived_from: str = "",
) -> Response:
    page = client.get(item_url(item_number))
    assert page.status_code == 200, page.text
    return client.post(
        item_url(item_number, "/files"),
        data={"kind": kind, "derived_from": derived_from, "csrf_token": csrf_token(page.text)},
        files=[("files", (name, content, "application/octet-stream")) for name, content in files],
        headers={"referer": f"http://testserver{item_url(item_number)}"},
        follow_redirects=False,
    )

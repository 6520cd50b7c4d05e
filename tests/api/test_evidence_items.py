"""Evidence items through the API: register, list, read, edit, status workflow and entity links."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.entities import service as entity_service
from casetrail.entities.statements import Source, SourceType
from tests.api.conftest import ClientFactory
from tests.api.test_evidence_support import EVIDENCE, SEIZED_AT, EvidenceCase, build_evidence_case
from tests.factories import context_for


@pytest.fixture
def world(
    app: FastAPI, factory: sessionmaker[Session], settings: Settings, client_for: ClientFactory
) -> EvidenceCase:
    return build_evidence_case(app, factory, settings, client_for)


def _add_person(world: EvidenceCase, entity_id: str) -> str:
    with transaction(world.factory) as session:
        view = entity_service.create_entity(
            session,
            context_for(world.users["alice"]),
            world.case.number,
            schema="Person",
            properties={"name": ["Ivan Petrov"]},
            source=Source(SourceType.MANUAL),
            entity_id=entity_id,
        )
    return view.record.entity_id


def test_register_item(world: EvidenceCase) -> None:
    item = world.register()
    assert item["number"] == "E-0001"
    assert item["case_number"] == world.case.number
    assert item["status"] == "in_custody"
    assert item["custodian"] == {"user_id": world.users["alice"].id, "location": None, "name": "alice"}
    assert item["in_transit"] is False
    assert item["pending_receiver"] is None
    assert item["custody_events"] == 1
    assert len(item["custody_head"]) == 64
    assert item["obtained_at"].startswith("2026-03-14T06:30:00")


def test_register_numbers_items_in_turn(world: EvidenceCase) -> None:
    first = world.register()
    second = world.register(description="Notebook with phone numbers", category="document")
    assert first["number"] == "E-0001"
    assert second["number"] == "E-0002"


def test_register_into_location(world: EvidenceCase) -> None:
    item = world.register(custodian_location="Evidence room 2")
    assert item["custodian"] == {"user_id": None, "location": "Evidence room 2", "name": "Evidence room 2"}


def test_register_rejects_time_without_offset(world: EvidenceCase) -> None:
    response = world.client("alice").post(
        EVIDENCE, json={"description": "Cash", "category": "currency", "obtained_at": "2026-03-14T06:30:00"}
    )
    assert response.status_code == 422
    assert "obtained_at" in response.json()["error"]["fields"]


def test_register_rejects_unknown_category(world: EvidenceCase) -> None:
    response = world.client("alice").post(
        EVIDENCE, json={"description": "Cash", "category": "jewels", "obtained_at": SEIZED_AT}
    )
    assert response.status_code == 422
    assert "category" in response.json()["error"]["fields"]


def test_register_taken_number_conflicts(world: EvidenceCase) -> None:
    world.register(number="A-1")
    response = world.client("alice").post(
        EVIDENCE,
        json={"description": "Cash", "category": "currency", "obtained_at": SEIZED_AT, "number": "A-1"},
    )
    assert response.status_code == 409


def test_viewer_cannot_register(world: EvidenceCase) -> None:
    response = world.client("dave").post(
        EVIDENCE, json={"description": "Cash", "category": "currency", "obtained_at": SEIZED_AT}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_item_number_with_slash(world: EvidenceCase) -> None:
    world.register(number="2026/17")
    alice = world.client("alice")
    detail = alice.get(f"{EVIDENCE}/2026/17")
    log = alice.get(f"{EVIDENCE}/2026/17/custody")
    assert detail.status_code == 200
    assert detail.json()["number"] == "2026/17"
    assert log.status_code == 200
    assert log.json()["item_number"] == "2026/17"


def test_list_filters_and_pages(world: EvidenceCase) -> None:
    world.register()
    second = world.register(description="Notebook", category="document")
    world.register(description="Cash in an envelope", category="currency")
    alice = world.client("alice")
    moved = alice.post(
        f"{EVIDENCE}/{second['number']}/status",
        json={"status": "in_lab", "reason": "handwriting analysis", "expected_version": second["version"]},
    )
    assert moved.status_code == 200
    page = alice.get(EVIDENCE, params={"limit": 2}).json()
    rest = alice.get(EVIDENCE, params={"limit": 2, "offset": 2}).json()
    in_lab = alice.get(EVIDENCE, params={"status": "in_lab"}).json()
    currency = alice.get(EVIDENCE, params={"category": "currency"}).json()
    assert page["total"] == 3
    assert [item["number"] for item in page["items"]] == ["E-0001", "E-0002"]
    assert [item["number"] for item in rest["items"]] == ["E-0003"]
    assert [item["number"] for item in in_lab["items"]] == ["E-0002"]
    assert [item["number"] for item in currency["items"]] == ["E-0003"]
    assert alice.get(EVIDENCE, params={"status": "lost"}).status_code == 422


def test_read_item_detail(world: EvidenceCase) -> None:
    item = world.register()
    stored = world.put_file(item["number"], b"forensic image bytes", "phone.img")
    detail = world.client("carol").get(f"{EVIDENCE}/{item['number']}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["number"] == item["number"]
    assert body["custodian"]["name"] == "alice"
    assert [entry["sha256"] for entry in body["files"]] == [stored["sha256"]]
    assert body["files"][0]["file_name"] == "phone.img"
    assert body["status_history"] == []
    assert "in_lab" in body["allowed_next_statuses"]


def test_read_missing_item(world: EvidenceCase) -> None:
    response = world.client("alice").get(f"{EVIDENCE}/E-9999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_update_item(world: EvidenceCase) -> None:
    item = world.register()
    response = world.client("alice").patch(
        f"{EVIDENCE}/{item['number']}",
        json={
            "description": "Black smartphone, screen cracked in two places",
            "expected_version": item["version"],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["description"] == "Black smartphone, screen cracked in two places"
    assert body["version"] == item["version"] + 1
    assert body["seal_number"] == "S-1001"


def test_update_stale_version_conflicts(world: EvidenceCase) -> None:
    item = world.register()
    alice = world.client("alice")
    first = alice.patch(
        f"{EVIDENCE}/{item['number']}",
        json={"obtained_place": "hallway", "expected_version": item["version"]},
    )
    second = alice.patch(
        f"{EVIDENCE}/{item['number']}", json={"obtained_place": "garage", "expected_version": item["version"]}
    )
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "version_conflict"


def test_update_rejects_null_description(world: EvidenceCase) -> None:
    item = world.register()
    response = world.client("alice").patch(
        f"{EVIDENCE}/{item['number']}", json={"description": None, "expected_version": item["version"]}
    )
    assert response.status_code == 422


def test_status_change_enters_history(world: EvidenceCase) -> None:
    item = world.register()
    alice = world.client("alice")
    moved = alice.post(
        f"{EVIDENCE}/{item['number']}/status",
        json={
            "status": "in_lab",
            "reason": "extraction",
            "expected_version": item["version"],
            "location": "Lab 3",
        },
    )
    assert moved.status_code == 200
    assert moved.json()["status"] == "in_lab"
    history = alice.get(f"{EVIDENCE}/{item['number']}").json()["status_history"]
    assert len(history) == 1
    assert history[0]["from_status"] == "in_custody"
    assert history[0]["to_status"] == "in_lab"
    assert history[0]["reason"] == "extraction"
    assert history[0]["recorded_by"] == "alice"
    assert history[0]["seq"] == 2


def test_status_change_outside_workflow_conflicts(world: EvidenceCase) -> None:
    item = world.register()
    alice = world.client("alice")
    returned = alice.post(
        f"{EVIDENCE}/{item['number']}/status",
        json={"status": "returned", "reason": "returned to owner", "expected_version": item["version"]},
    )
    again = alice.post(
        f"{EVIDENCE}/{item['number']}/status",
        json={"status": "in_lab", "reason": "too late", "expected_version": returned.json()["version"]},
    )
    assert returned.status_code == 200
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"


def test_status_change_by_non_custodian_denied(world: EvidenceCase) -> None:
    item = world.register()
    response = world.client("carol").post(
        f"{EVIDENCE}/{item['number']}/status",
        json={"status": "in_lab", "reason": "not mine to move", "expected_version": item["version"]},
    )
    assert response.status_code == 403


def test_link_and_unlink_entity(world: EvidenceCase) -> None:
    entity_id = _add_person(world, "person.ivan.petrov")
    item = world.register()
    alice = world.client("alice")
    path = f"{EVIDENCE}/{item['number']}"
    linked = alice.post(f"{path}/entities", json={"entity_id": entity_id})
    twice = alice.post(f"{path}/entities", json={"entity_id": entity_id})
    after_link = alice.get(path).json()["entity_ids"]
    unlinked = alice.delete(f"{path}/entities/{entity_id}")
    after_unlink = alice.get(path).json()["entity_ids"]
    unlinked_again = alice.delete(f"{path}/entities/{entity_id}")
    assert linked.status_code == 201
    assert linked.json() == {"item_number": item["number"], "entity_id": entity_id}
    assert twice.status_code == 409
    assert after_link == [entity_id]
    assert unlinked.status_code == 204
    assert after_unlink == []
    assert unlinked_again.status_code == 404


def test_link_unknown_entity_rejected(world: EvidenceCase) -> None:
    item = world.register()
    response = world.client("alice").post(
        f"{EVIDENCE}/{item['number']}/entities", json={"entity_id": "person.nobody"}
    )
    assert response.status_code == 422
    assert "entity_id" in response.json()["error"]["fields"]


def test_register_with_linked_entities(world: EvidenceCase) -> None:
    entity_id = _add_person(world, "person.owner")
    item = world.register(entity_ids=[entity_id], obtained_from_entity_id=entity_id)
    assert item["entity_ids"] == [entity_id]
    assert item["obtained_from_entity_id"] == entity_id


def test_item_reads_are_audited(world: EvidenceCase) -> None:
    item = world.register()
    alice = world.client("alice")
    alice.get(f"{EVIDENCE}/{item['number']}")
    alice.get(EVIDENCE)
    reads = world.audit("evidence.read", "alice")
    lists = world.audit("evidence.list", "alice")
    assert [record.object_id for record in reads] == [item["id"]]
    assert [record.detail["part"] for record in reads] == ["item"]
    assert len(lists) == 1
    assert lists[0].detail["returned"] == [item["id"]]

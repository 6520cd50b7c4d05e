"""Chain of custody through the API: two-step handovers, locations, seals, corrections, the hash chain."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from tests.api.conftest import ClientFactory
from tests.api.test_evidence_support import EVIDENCE, EvidenceCase, build_evidence_case

HANDOVER = {
    "occurred_at": "2026-03-14T09:00:00+00:00",
    "location": "Evidence office, HQ",
    "condition": "seal intact",
}


@pytest.fixture
def world(
    app: FastAPI, factory: sessionmaker[Session], settings: Settings, client_for: ClientFactory
) -> EvidenceCase:
    return build_evidence_case(app, factory, settings, client_for)


def _step(world: EvidenceCase, username: str, item_number: str, step: str, body: dict[str, Any]) -> Any:
    return world.client(username).post(f"{EVIDENCE}/{item_number}/custody/{step}", json=body)


def _release_to_carol(world: EvidenceCase, item_number: str) -> dict[str, Any]:
    response = _step(
        world, "alice", item_number, "release", {"receiver": "carol", "purpose": "storage", **HANDOVER}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _log(world: EvidenceCase, item_number: str) -> dict[str, Any]:
    response = world.client("alice").get(f"{EVIDENCE}/{item_number}/custody")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_release_puts_item_in_transit(world: EvidenceCase) -> None:
    item = world.register()
    released = _release_to_carol(world, item["number"])
    detail = world.client("carol").get(f"{EVIDENCE}/{item['number']}").json()
    assert released["in_transit"] is True
    assert released["custodian"]["user_id"] == world.users["alice"].id
    assert released["pending_receiver"]["user_id"] == world.users["carol"].id
    assert released["pending_receiver"]["name"] == "carol"
    assert detail["in_transit"] is True
    assert detail["pending_receiver"]["name"] == "carol"


def test_accept_makes_receiver_custodian(world: EvidenceCase) -> None:
    item = world.register()
    _release_to_carol(world, item["number"])
    accepted = _step(world, "carol", item["number"], "accept", {"condition": "seal intact"})
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["in_transit"] is False
    assert body["pending_receiver"] is None
    assert body["custodian"] == {"user_id": world.users["carol"].id, "location": None, "name": "carol"}
    events = _log(world, item["number"])["events"]
    assert [event["event_type"] for event in events] == ["intake", "release", "accept"]
    assert events[1]["from_name"] == "alice"
    assert events[1]["to_name"] == "carol"
    assert events[1]["location"] == "Evidence office, HQ"
    assert events[2]["details"]["release_event_id"] == events[1]["id"]


def test_wrong_user_cannot_accept(world: EvidenceCase) -> None:
    item = world.register()
    _release_to_carol(world, item["number"])
    by_viewer = _step(world, "dave", item["number"], "accept", {})
    by_releaser = _step(world, "alice", item["number"], "accept", {})
    assert by_viewer.status_code == 403
    assert by_viewer.json()["error"]["code"] == "permission_denied"
    assert by_releaser.status_code == 403
    still = world.client("alice").get(f"{EVIDENCE}/{item['number']}").json()
    assert still["in_transit"] is True
    assert still["custodian"]["name"] == "alice"


def test_wrong_user_accept_is_audited(world: EvidenceCase) -> None:
    item = world.register()
    _release_to_carol(world, item["number"])
    _step(world, "dave", item["number"], "accept", {})
    denials = world.audit("access.denied", "dave")
    assert len(denials) == 1
    assert denials[0].object_id == item["id"]
    assert denials[0].detail["attempted"] == "custody.record"


def test_releaser_cancels_release(world: EvidenceCase) -> None:
    item = world.register()
    _release_to_carol(world, item["number"])
    by_receiver = _step(world, "carol", item["number"], "cancel", {"reason": "not mine to cancel"})
    cancelled = _step(world, "alice", item["number"], "cancel", {"reason": "courier did not come"})
    accept_after = _step(world, "carol", item["number"], "accept", {})
    assert by_receiver.status_code == 403
    assert cancelled.status_code == 200
    assert cancelled.json()["in_transit"] is False
    assert cancelled.json()["custodian"]["name"] == "alice"
    assert accept_after.status_code == 409
    assert accept_after.json()["error"]["code"] == "invalid_transition"


def test_second_release_while_in_transit_conflicts(world: EvidenceCase) -> None:
    item = world.register()
    _release_to_carol(world, item["number"])
    again = _step(world, "alice", item["number"], "release", {"receiver": "dave", "purpose": "storage"})
    assert again.status_code == 409


def test_release_to_outsider_rejected(world: EvidenceCase) -> None:
    item = world.register()
    response = _step(world, "alice", item["number"], "release", {"receiver": "bob", "purpose": "storage"})
    assert response.status_code == 422
    assert "receiver" in response.json()["error"]["fields"]


def test_transfer_to_location(world: EvidenceCase) -> None:
    item = world.register()
    moved = _step(
        world,
        "alice",
        item["number"],
        "transfer",
        {"to_location": "Evidence room 2", "purpose": "storage", **HANDOVER},
    )
    assert moved.status_code == 200
    body = moved.json()
    assert body["custodian"] == {"user_id": None, "location": "Evidence room 2", "name": "Evidence room 2"}
    assert body["storage_location"] == "Evidence room 2"
    event = _log(world, item["number"])["events"][-1]
    assert event["event_type"] == "transfer_to_location"
    assert event["to_location"] == "Evidence room 2"
    assert event["from_name"] == "alice"


def test_change_seal(world: EvidenceCase) -> None:
    item = world.register()
    changed = _step(
        world,
        "alice",
        item["number"],
        "seal",
        {"seal_number": "S-2002", "expected_version": item["version"], "notes": "lab reopened the bag"},
    )
    stale = _step(
        world, "alice", item["number"], "seal", {"seal_number": "S-3003", "expected_version": item["version"]}
    )
    assert changed.status_code == 200
    assert changed.json()["seal_number"] == "S-2002"
    assert stale.status_code == 409
    event = _log(world, item["number"])["events"][-1]
    assert event["event_type"] == "seal_change"
    assert event["details"] == {"from": "S-1001", "to": "S-2002"}


def test_custody_log_hash_chain(world: EvidenceCase) -> None:
    item = world.register()
    _release_to_carol(world, item["number"])
    log = _log(world, item["number"])
    events = log["events"]
    assert [event["seq"] for event in events] == [1, 2]
    assert events[0]["prev_hash"] == "0" * 64
    assert events[1]["prev_hash"] == events[0]["hash"]
    assert log["chain"]["ok"] is True
    assert log["chain"]["events_checked"] == 2
    assert log["chain"]["head_hash"] == events[1]["hash"]


def test_custody_log_read_and_check_audited(world: EvidenceCase) -> None:
    item = world.register()
    _log(world, item["number"])
    reads = world.audit("evidence.read", "alice")
    checks = world.audit("custody.verify", "alice")
    assert [record.detail["part"] for record in reads] == ["custody_log"]
    assert len(checks) == 1
    assert checks[0].outcome == "success"


def test_correction_appends_event(world: EvidenceCase) -> None:
    item = world.register()
    _release_to_carol(world, item["number"])
    release = _log(world, item["number"])["events"][1]
    response = _step(
        world,
        "alice",
        item["number"],
        "corrections",
        {
            "event_id": release["id"],
            "corrections": {"location": "Evidence office, annex", "occurred_at": "2026-03-14T09:15:00+00:00"},
            "reason": "wrong room written down",
        },
    )
    assert response.status_code == 201
    correction = response.json()
    assert correction["event_type"] == "correction"
    assert correction["corrects_event_id"] == release["id"]
    assert correction["details"]["fields"]["location"] == "Evidence office, annex"
    assert correction["details"]["fields"]["occurred_at"] == "2026-03-14T09:15:00+00:00"
    events = _log(world, item["number"])["events"]
    assert events[1] == release
    assert [event["event_type"] for event in events] == ["intake", "release", "correction"]


def test_correction_of_unknown_event_not_found(world: EvidenceCase) -> None:
    item = world.register()
    response = _step(
        world,
        "alice",
        item["number"],
        "corrections",
        {"event_id": "no-such-event", "corrections": {"notes": "x"}, "reason": "typo"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_custody_events_cannot_be_changed(world: EvidenceCase, method: str) -> None:
    item = world.register()
    before = _log(world, item["number"])
    event_id = before["events"][0]["id"]
    alice = world.client("alice")
    paths = [
        f"{EVIDENCE}/{item['number']}/custody",
        f"{EVIDENCE}/{item['number']}/custody/{event_id}",
        f"{EVIDENCE}/{item['number']}/custody/events/{event_id}",
        f"{EVIDENCE}/{item['number']}/custody/1",
    ]
    for path in paths:
        response = alice.request(
            method, path, json={"notes": "rewritten", "expected_version": item["version"]}
        )
        assert response.status_code in (404, 405), (path, response.status_code)
    after = _log(world, item["number"])
    assert after["events"] == before["events"]

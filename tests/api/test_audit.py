"""The audit trail through the API: auditors only, filters, paging and chain verification."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.conftest import ClientFactory
from tests.factories import make_case, make_user


def _auditor(factory: sessionmaker[Session], client_for: ClientFactory) -> TestClient:
    make_user(factory, "audra", role="auditor", unit=None)
    return client_for("audra")


def test_only_auditors_read_trail(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    alice_user = make_user(factory, "alice")
    alice = client_for("alice")
    listing = alice.get("/api/v1/audit")
    verify = alice.get("/api/v1/audit/verify")
    assert listing.status_code == 403
    assert verify.status_code == 403
    assert listing.json()["error"]["code"] == "permission_denied"

    denials = _auditor(factory, client_for).get(
        "/api/v1/audit", params={"action": "access.denied", "actor_id": alice_user.id}
    )
    assert [entry["detail"]["attempted"] for entry in denials.json()["items"]] == ["audit.read", "audit.read"]


def test_filter_by_case(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    make_case(factory, "alice", number="2026-0143")
    client_for("alice").post("/api/v1/cases/2026-0142/notes", json={"body": "first note"})
    auditor = _auditor(factory, client_for)

    entries = auditor.get("/api/v1/audit", params={"case_id": case.id}).json()["items"]
    assert [entry["action"] for entry in entries] == ["case.create", "note.create"]
    assert {entry["case_id"] for entry in entries} == {case.id}
    assert entries[1]["actor_name"] == "alice"


def test_paging_follows_sequence(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    for number in ("2026-0001", "2026-0002", "2026-0003"):
        make_case(factory, "alice", number=number)
    auditor = _auditor(factory, client_for)

    first = auditor.get("/api/v1/audit", params={"action": "case.create", "limit": 2}).json()
    assert len(first["items"]) == 2
    assert first["next_after_seq"] == first["items"][-1]["seq"]
    second = auditor.get(
        "/api/v1/audit", params={"action": "case.create", "limit": 2, "after_seq": first["next_after_seq"]}
    ).json()
    assert len(second["items"]) == 1
    assert second["next_after_seq"] is None
    assert second["items"][0]["seq"] > first["items"][-1]["seq"]


def test_reading_trail_is_recorded(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    auditor = _auditor(factory, client_for)
    auditor.get("/api/v1/audit", params={"action": "case.create"})
    reads = auditor.get("/api/v1/audit", params={"action": "audit.read"}).json()["items"]
    assert len(reads) == 1
    assert reads[0]["actor_name"] == "audra"
    assert reads[0]["detail"]["action"] == "case.create"


def test_verify_chain(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    make_case(factory, "alice")
    auditor = _auditor(factory, client_for)

    report = auditor.get("/api/v1/audit/verify").json()
    assert report["ok"] is True
    assert report["records_checked"] > 0
    assert len(report["head_hash"]) == 64
    assert report["problem"] is None

    anchored = auditor.get("/api/v1/audit/verify", params={"expect_head": report["head_hash"]}).json()
    assert anchored["ok"] is True
    unknown = auditor.get("/api/v1/audit/verify", params={"expect_head": "f" * 64}).json()
    assert unknown["ok"] is False
    assert unknown["problem"]
    malformed = auditor.get("/api/v1/audit/verify", params={"expect_head": "not-a-hash"})
    assert malformed.status_code == 422

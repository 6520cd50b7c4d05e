"""Need-to-know through the API: hidden cases read exactly like missing ones, and are audited."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.models import User
from casetrail.db.engine import transaction
from casetrail.entities import service as entity_service
from casetrail.entities.statements import Source, SourceType
from tests.api.conftest import ClientFactory
from tests.factories import context_for, make_case, make_user

REQUEST_ID = "need-to-know-request"


@dataclass(frozen=True)
class AliceCase:
    number: str
    case_id: str
    note_id: str
    entity_id: str


@pytest.fixture
def alice_case(factory: sessionmaker[Session], client_for: ClientFactory) -> AliceCase:
    """A case of alice (Unit A) with a note, a task and an entity."""
    alice = make_user(factory, "alice", unit="Unit A")
    case = make_case(factory, "alice", title="Night visits at the house", number="2026-0142")
    client = client_for("alice")
    note = client.post(f"/api/v1/cases/{case.number}/notes", json={"body": "cars arrive after midnight"})
    task = client.post(f"/api/v1/cases/{case.number}/tasks", json={"title": "check the plate"})
    assert note.status_code == 201
    assert task.status_code == 201
    with transaction(factory) as session:
        view = entity_service.create_entity(
            session,
            context_for(alice),
            case.number,
            schema="Person",
            properties={"name": ["Ivan Petrov"]},
            source=Source(SourceType.MANUAL),
            entity_id="person.ivan.petrov",
        )
    return AliceCase(case.number, case.id, note.json()["id"], view.record.entity_id)


def _case_paths(case: AliceCase) -> list[str]:
    base = f"/api/v1/cases/{case.number}"
    return [
        base,
        f"{base}/notes",
        f"{base}/notes/{case.note_id}",
        f"{base}/tasks",
        f"{base}/entities",
        f"{base}/entities/{case.entity_id}",
        f"{base}/entities/{case.entity_id}/relationships",
        f"{base}/members",
        f"{base}/merges",
    ]


def _get(client: TestClient, path: str) -> tuple[int, dict[str, object]]:
    response = client.get(path, headers={"X-Request-ID": REQUEST_ID})
    return response.status_code, response.json()


def _denials(client: TestClient, actor: User) -> list[dict[str, object]]:
    response = client.get("/api/v1/audit", params={"action": "access.denied", "actor_id": actor.id})
    assert response.status_code == 200
    items: list[dict[str, object]] = response.json()["items"]
    return items


def test_other_investigator_gets_404_everywhere(
    factory: sessionmaker[Session], client_for: ClientFactory, alice_case: AliceCase
) -> None:
    make_user(factory, "bob", unit="Unit B")
    bob = client_for("bob")
    for path in _case_paths(alice_case):
        status, body = _get(bob, path)
        assert status == 404, path
        assert body["error"]["code"] == "not_found", path  # type: ignore[index]


def test_hidden_case_reads_like_missing_case(
    factory: sessionmaker[Session], client_for: ClientFactory, alice_case: AliceCase
) -> None:
    make_user(factory, "bob", unit="Unit B")
    bob = client_for("bob")
    missing_number = "2026-9999"
    hidden_paths = _case_paths(alice_case)
    missing_paths = [path.replace(alice_case.number, missing_number) for path in hidden_paths]
    for hidden_path, missing_path in zip(hidden_paths, missing_paths, strict=True):
        hidden_status, hidden_body = _get(bob, hidden_path)
        missing_status, missing_body = _get(bob, missing_path)
        assert hidden_status == missing_status, hidden_path
        hidden_text = str(hidden_body).replace(alice_case.number, missing_number)
        assert hidden_text == str(missing_body), hidden_path


def test_hidden_case_rejects_writes_as_missing(
    factory: sessionmaker[Session], client_for: ClientFactory, alice_case: AliceCase
) -> None:
    make_user(factory, "bob", unit="Unit B")
    bob = client_for("bob")
    base = f"/api/v1/cases/{alice_case.number}"
    writes = [
        bob.post(f"{base}/notes", json={"body": "mine now"}),
        bob.patch(f"{base}/notes/{alice_case.note_id}", json={"body": "changed", "expected_version": 1}),
        bob.post(f"{base}/members", json={"username": "bob", "role": "investigator"}),
        bob.patch(base, json={"title": "taken over", "expected_version": 1}),
        bob.post(
            f"{base}/entities",
            json={"schema": "Person", "properties": {"name": ["X"]}, "source": {"type": "manual"}},
        ),
    ]
    assert [response.status_code for response in writes] == [404] * len(writes)
    alice = client_for("alice")
    assert alice.get(f"{base}/notes/{alice_case.note_id}").json()["body"] == "cars arrive after midnight"
    assert [member["username"] for member in alice.get(f"{base}/members").json()] == ["alice"]


def test_case_list_leaves_out_hidden_case(
    factory: sessionmaker[Session], client_for: ClientFactory, alice_case: AliceCase
) -> None:
    make_user(factory, "bob", unit="Unit B")
    make_case(factory, "bob", title="Bob's own case", number="2026-0200")
    bob = client_for("bob")
    for params in ({}, {"q": alice_case.number}, {"q": "Night visits"}, {"status": "open"}):
        page = bob.get("/api/v1/cases", params=params).json()
        numbers = [item["number"] for item in page["items"]]
        assert alice_case.number not in numbers, params
    full = bob.get("/api/v1/cases").json()
    assert full["total"] == 1
    assert [item["number"] for item in full["items"]] == ["2026-0200"]


def test_supervisor_of_unit_sees_case(
    factory: sessionmaker[Session], client_for: ClientFactory, alice_case: AliceCase
) -> None:
    make_user(factory, "sam", role="supervisor", unit="Unit A")
    sam = client_for("sam")
    detail = sam.get(f"/api/v1/cases/{alice_case.number}")
    listed = sam.get("/api/v1/cases").json()
    notes = sam.get(f"/api/v1/cases/{alice_case.number}/notes")
    assert detail.status_code == 200
    assert "supervise" in detail.json()["permissions"]
    assert alice_case.number in [item["number"] for item in listed["items"]]
    assert notes.status_code == 200


def test_supervisor_of_other_unit_does_not_see_case(
    factory: sessionmaker[Session], client_for: ClientFactory, alice_case: AliceCase
) -> None:
    make_user(factory, "sue", role="supervisor", unit="Unit B")
    sue = client_for("sue")
    assert sue.get(f"/api/v1/cases/{alice_case.number}").status_code == 404
    assert sue.get("/api/v1/cases").json()["total"] == 0


@pytest.mark.parametrize("role", ["auditor", "administrator"])
def test_oversight_roles_cannot_read_content(
    factory: sessionmaker[Session], client_for: ClientFactory, alice_case: AliceCase, role: str
) -> None:
    make_user(factory, "olga", role=role, unit="Unit A")
    olga = client_for("olga")
    for path in _case_paths(alice_case):
        status, _body = _get(olga, path)
        assert status == 404, path
    assert olga.get("/api/v1/cases").json()["total"] == 0


def test_every_denial_is_audited(
    factory: sessionmaker[Session], client_for: ClientFactory, alice_case: AliceCase
) -> None:
    bob_user = make_user(factory, "bob", unit="Unit B")
    sue_user = make_user(factory, "sue", role="supervisor", unit="Unit B")
    admin_user = make_user(factory, "root", role="administrator", unit=None)
    make_user(factory, "audra", role="auditor", unit=None)
    paths = _case_paths(alice_case)
    for username in ("bob", "sue", "root"):
        client = client_for(username)
        for path in paths:
            client.get(path)
    # A case that does not exist is not a denial.
    client_for("bob").get("/api/v1/cases/2026-9999")

    auditor = client_for("audra")
    for user in (bob_user, sue_user, admin_user):
        denials = _denials(auditor, user)
        assert len(denials) == len(paths), user.username
        assert {entry["object_id"] for entry in denials} == {alice_case.case_id}, user.username
        assert {entry["outcome"] for entry in denials} == {"denied"}, user.username
    verify = auditor.get("/api/v1/audit/verify").json()
    assert verify["ok"] is True


def test_member_sees_case_content(
    factory: sessionmaker[Session], client_for: ClientFactory, alice_case: AliceCase
) -> None:
    make_user(factory, "bob", unit="Unit B")
    alice = client_for("alice")
    added = alice.post(
        f"/api/v1/cases/{alice_case.number}/members", json={"username": "bob", "role": "viewer"}
    )
    assert added.status_code == 200
    bob = client_for("bob")
    for path in _case_paths(alice_case):
        assert bob.get(path).status_code == 200, path
    # A viewer reads but does not write.
    note = bob.post(f"/api/v1/cases/{alice_case.number}/notes", json={"body": "viewer note"})
    assert note.status_code == 403
    assert note.json()["error"]["code"] == "permission_denied"

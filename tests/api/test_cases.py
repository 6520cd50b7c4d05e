"""Cases through the API: create, read, optimistic concurrency and the status workflow."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.conftest import ClientFactory
from tests.factories import make_user


def _open_case(client: TestClient, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/cases", json={"title": "Night visits at the house", **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _set_status(client: TestClient, number: str, status: str, version: int) -> Any:
    return client.post(
        f"/api/v1/cases/{number}/status",
        json={"status": status, "reason": f"moving to {status}", "expected_version": version},
    )


def test_create_and_read_case(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    alice = client_for("alice")
    created = _open_case(alice, sensitivity="confidential", offence_category="drugs")
    detail = alice.get(f"/api/v1/cases/{created['number']}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["title"] == "Night visits at the house"
    assert body["sensitivity"] == "confidential"
    assert body["status"] == "open"
    assert body["lead_name"] == "Alice"
    assert sorted(body["permissions"]) == ["manage", "read", "write"]
    assert sorted(body["allowed_next_statuses"]) == ["active", "closed", "suspended"]
    assert [step["to_status"] for step in body["status_history"]] == ["open"]
    assert body["version"] == 1


def test_case_list_pages(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    alice = client_for("alice")
    for index in range(3):
        _open_case(alice, title=f"Case {index}")
    page = alice.get("/api/v1/cases", params={"limit": 2, "offset": 0}).json()
    rest = alice.get("/api/v1/cases", params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 3
    assert len(page["items"]) == 2
    assert len(rest["items"]) == 1
    assert alice.get("/api/v1/cases", params={"limit": 201}).status_code == 422


def test_analyst_cannot_open_case(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "ana", role="analyst")
    response = client_for("ana").post("/api/v1/cases", json={"title": "Not mine to open"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_concurrent_patch_conflicts(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    alice = client_for("alice")
    case = _open_case(alice)
    path = f"/api/v1/cases/{case['number']}"

    first = alice.patch(path, json={"title": "First edit", "expected_version": case["version"]})
    second = alice.patch(path, json={"title": "Second edit", "expected_version": case["version"]})
    assert first.status_code == 200
    assert first.json()["version"] == case["version"] + 1
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "version_conflict"
    assert alice.get(path).json()["title"] == "First edit"


def test_patch_needs_expected_version(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    alice = client_for("alice")
    case = _open_case(alice)
    response = alice.patch(f"/api/v1/cases/{case['number']}", json={"title": "No version"})
    assert response.status_code == 422
    assert "expected_version" in response.json()["error"]["fields"]


def test_patch_rejects_null_field(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    alice = client_for("alice")
    case = _open_case(alice)
    response = alice.patch(
        f"/api/v1/cases/{case['number']}", json={"summary": None, "expected_version": case["version"]}
    )
    assert response.status_code == 422
    assert "summary" in response.json()["error"]["fields"]


def test_patch_changes_only_given_fields(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    alice = client_for("alice")
    case = _open_case(alice, summary="kept")
    response = alice.patch(
        f"/api/v1/cases/{case['number']}",
        json={"offence_category": "fraud", "sensitivity": "secret", "expected_version": case["version"]},
    )
    assert response.status_code == 200
    assert response.json()["summary"] == "kept"
    assert response.json()["offence_category"] == "fraud"
    assert response.json()["sensitivity"] == "secret"


def test_invalid_transition_conflicts(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    alice = client_for("alice")
    case = _open_case(alice)
    response = _set_status(alice, case["number"], "archived", case["version"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert alice.get(f"/api/v1/cases/{case['number']}").json()["status"] == "open"


def test_status_change_with_stale_version_conflicts(
    factory: sessionmaker[Session], client_for: ClientFactory
) -> None:
    make_user(factory, "alice")
    alice = client_for("alice")
    case = _open_case(alice)
    assert _set_status(alice, case["number"], "active", case["version"]).status_code == 200
    stale = _set_status(alice, case["number"], "suspended", case["version"])
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"


def test_reopen_closed_case_needs_supervisor(
    factory: sessionmaker[Session], client_for: ClientFactory
) -> None:
    make_user(factory, "alice", unit="Unit A")
    make_user(factory, "sam", role="supervisor", unit="Unit A")
    alice = client_for("alice")
    case = _open_case(alice)
    closed = _set_status(alice, case["number"], "closed", case["version"])
    assert closed.status_code == 200
    version = closed.json()["version"]

    by_lead = _set_status(alice, case["number"], "active", version)
    assert by_lead.status_code == 403
    assert by_lead.json()["error"]["code"] == "permission_denied"

    by_supervisor = _set_status(client_for("sam"), case["number"], "active", version)
    assert by_supervisor.status_code == 200
    assert by_supervisor.json()["status"] == "active"
    history = alice.get(f"/api/v1/cases/{case['number']}").json()["status_history"]
    assert [step["to_status"] for step in history] == ["open", "closed", "active"]
    assert history[-1]["changed_by"] == "sam"


def test_closed_case_content_is_read_only(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    alice = client_for("alice")
    case = _open_case(alice)
    _set_status(alice, case["number"], "closed", case["version"])
    response = alice.post(f"/api/v1/cases/{case['number']}/notes", json={"body": "too late"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_note_edits_conflict(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    alice = client_for("alice")
    case = _open_case(alice)
    notes = f"/api/v1/cases/{case['number']}/notes"
    note = alice.post(notes, json={"body": "first text"}).json()
    first = alice.patch(f"{notes}/{note['id']}", json={"body": "second text", "expected_version": 1})
    second = alice.patch(f"{notes}/{note['id']}", json={"body": "third text", "expected_version": 1})
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "version_conflict"
    assert alice.get(f"{notes}/{note['id']}").json()["body"] == "second text"


def test_task_lifecycle(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    make_user(factory, "bob")
    alice = client_for("alice")
    case = _open_case(alice)
    tasks = f"/api/v1/cases/{case['number']}/tasks"
    not_member = alice.post(tasks, json={"title": "check the plate", "assignee": "bob"})
    assert not_member.status_code == 422
    assert "assignee" in not_member.json()["error"]["fields"]

    alice.post(f"/api/v1/cases/{case['number']}/members", json={"username": "bob", "role": "investigator"})
    task = alice.post(tasks, json={"title": "check the plate", "assignee": "bob", "due_date": "2026-03-01"})
    assert task.status_code == 201
    assert task.json()["due_date"] == "2026-03-01"

    done = alice.patch(
        f"{tasks}/{task.json()['id']}", json={"status": "done", "due_date": None, "expected_version": 1}
    )
    stale = alice.patch(f"{tasks}/{task.json()['id']}", json={"title": "again", "expected_version": 1})
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert done.json()["due_date"] is None
    assert done.json()["assignee_id"] == task.json()["assignee_id"]
    assert stale.status_code == 409
    assert [item["status"] for item in alice.get(tasks).json()] == ["done"]


def test_member_management(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    make_user(factory, "bob")
    make_user(factory, "root", role="administrator", unit=None)
    alice = client_for("alice")
    case = _open_case(alice)
    members = f"/api/v1/cases/{case['number']}/members"

    added = alice.post(members, json={"username": "bob", "role": "analyst"})
    again = alice.post(members, json={"username": "bob", "role": "analyst"})
    admin = alice.post(members, json={"username": "root", "role": "viewer"})
    lead_removal = alice.delete(f"{members}/alice")
    assert added.status_code == 200
    assert added.json()["role"] == "analyst"
    assert again.status_code == 409
    assert admin.status_code == 403
    assert lead_removal.status_code == 409

    removed = alice.delete(f"{members}/bob")
    assert removed.status_code == 204
    assert [member["username"] for member in alice.get(members).json()] == ["alice"]


def test_case_number_is_one_path_segment(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "alice")
    alice = client_for("alice")
    with_slash = alice.post("/api/v1/cases", json={"title": "Slashed", "number": "2026/0142"})
    assert with_slash.status_code == 422
    assert set(with_slash.json()["error"]["fields"]) == {"number"}

    dotted = _open_case(alice, number="NU3.2026.7")
    assert alice.get(f"/api/v1/cases/{dotted['number']}").status_code == 200
    assert alice.get(f"/api/v1/cases/{dotted['number']}/notes").status_code == 200

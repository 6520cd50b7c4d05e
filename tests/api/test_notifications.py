"""The notifications API: list, mark read, preferences and following a case."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from casetrail.notifications.follower import follow_until_caught_up
from tests.api.conftest import ClientFactory
from tests.factories import make_case, make_user

NUMBER = "2026-0142"


@pytest.fixture
def people(factory: sessionmaker[Session]) -> None:
    make_user(factory, "alice", unit="Unit A")
    make_user(factory, "carol", role="analyst", unit="Unit A")
    make_user(factory, "bob", unit="Unit B")
    make_case(factory, "alice", number=NUMBER)


def _assign_to_carol(alice: TestClient, factory: sessionmaker[Session], settings: Settings) -> None:
    response = alice.post(f"/api/v1/cases/{NUMBER}/members", json={"username": "carol", "role": "analyst"})
    assert response.status_code in (200, 201), response.text
    response = alice.post(
        f"/api/v1/cases/{NUMBER}/tasks", json={"title": "Check the CCTV", "assignee": "carol"}
    )
    assert response.status_code == 201, response.text
    follow_until_caught_up(factory, settings)


@pytest.mark.usefixtures("people")
def test_assignee_lists_notification(
    client_for: ClientFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice, carol = client_for("alice"), client_for("carol")
    _assign_to_carol(alice, factory, settings)
    listed = carol.get("/api/v1/notifications")
    assert listed.status_code == 200
    body = listed.json()
    assert [item["kind"] for item in body] == ["task_assigned"]
    assert body[0]["title"] == f"Task assigned in {NUMBER}"
    assert body[0]["read_at"] is None
    assert alice.get("/api/v1/notifications").json() == []


@pytest.mark.usefixtures("people")
def test_mark_read_updates_count(
    client_for: ClientFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice, carol = client_for("alice"), client_for("carol")
    _assign_to_carol(alice, factory, settings)
    notification_id = carol.get("/api/v1/notifications").json()[0]["id"]
    assert carol.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    marked = carol.post(f"/api/v1/notifications/{notification_id}/read")
    assert marked.status_code == 200
    assert marked.json()["read_at"] is not None
    assert carol.get("/api/v1/notifications/unread-count").json() == {"unread": 0}


@pytest.mark.usefixtures("people")
def test_others_notification_not_found(
    client_for: ClientFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice, carol, bob = client_for("alice"), client_for("carol"), client_for("bob")
    _assign_to_carol(alice, factory, settings)
    notification_id = carol.get("/api/v1/notifications").json()[0]["id"]
    response = bob.post(f"/api/v1/notifications/{notification_id}/read")
    assert response.status_code == 404
    assert carol.get("/api/v1/notifications/unread-count").json() == {"unread": 1}


@pytest.mark.usefixtures("people")
def test_read_all_marks_every_one(
    client_for: ClientFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice, carol = client_for("alice"), client_for("carol")
    _assign_to_carol(alice, factory, settings)
    response = carol.post("/api/v1/notifications/read-all")
    assert response.json() == {"marked": 1}
    assert carol.get("/api/v1/notifications?unread=true").json() == []


@pytest.mark.usefixtures("people")
def test_preferences_round_trip(client_for: ClientFactory) -> None:
    carol = client_for("carol")
    response = carol.put(
        "/api/v1/notifications/preferences",
        json={
            "kinds": {"task_assigned": {"in_app": True, "email": False}},
            "email_address": "carol@agency.example",
        },
    )
    assert response.status_code == 200, response.text
    stored = carol.get("/api/v1/notifications/preferences").json()
    choices = {item["kind"]: item for item in stored["choices"]}
    assert choices["task_assigned"]["email"] is False
    assert choices["task_due"]["email"] is True
    assert stored["email_address"] == "carol@agency.example"
    assert stored["email_enabled"] is False


@pytest.mark.usefixtures("people")
def test_unknown_kind_is_rejected(client_for: ClientFactory) -> None:
    response = client_for("carol").put(
        "/api/v1/notifications/preferences", json={"kinds": {"weather": {"in_app": True, "email": True}}}
    )
    assert response.status_code == 422
    assert "weather" in response.json()["error"]["message"]


@pytest.mark.usefixtures("people")
def test_invalid_address_is_rejected(client_for: ClientFactory) -> None:
    response = client_for("carol").put(
        "/api/v1/notifications/preferences", json={"email_address": "carol at home"}
    )
    assert response.status_code == 422


@pytest.mark.usefixtures("people")
def test_follow_needs_access(client_for: ClientFactory) -> None:
    assert client_for("bob").post(f"/api/v1/cases/{NUMBER}/follow").status_code == 404
    response = client_for("alice").post(f"/api/v1/cases/{NUMBER}/follow")
    assert response.status_code == 200
    assert response.json() == {"case_number": NUMBER, "following": True}


@pytest.mark.usefixtures("people")
def test_followed_case_fact_listed(
    client_for: ClientFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice, carol = client_for("alice"), client_for("carol")
    alice.post(f"/api/v1/cases/{NUMBER}/members", json={"username": "carol", "role": "analyst"})
    assert carol.post(f"/api/v1/cases/{NUMBER}/follow").status_code == 200
    created = alice.post(
        f"/api/v1/cases/{NUMBER}/entities",
        json={"schema": "Person", "properties": {"name": ["Jane Roe"]}, "source": {"type": "manual"}},
    )
    assert created.status_code == 201, created.text
    follow_until_caught_up(factory, settings)
    assert [item["kind"] for item in carol.get("/api/v1/notifications").json()] == ["case_fact"]
    assert carol.delete(f"/api/v1/cases/{NUMBER}/follow").json()["following"] is False

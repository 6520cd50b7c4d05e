"""Accounts and units through the API: administrators only, with validation."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tests.api.conftest import ClientFactory
from tests.factories import PASSWORD, make_user

NEW_USER = {
    "username": "rivera",
    "password": PASSWORD,
    "role": "investigator",
    "display_name": "Agent Rivera",
    "clearance": "secret",
    "unit": "Narcotics Unit 3",
}


def test_administrator_creates_and_lists_users(
    factory: sessionmaker[Session], client_for: ClientFactory
) -> None:
    make_user(factory, "root", role="administrator", unit=None)
    root = client_for("root")
    created = root.post("/api/v1/users", json=NEW_USER)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["username"] == "rivera"
    assert body["display_name"] == "Agent Rivera"
    assert body["unit_id"]
    assert body["unit"] == "Narcotics Unit 3"
    assert "password" not in body
    assert "password_hash" not in body

    listed = root.get("/api/v1/users").json()
    assert [user["username"] for user in listed] == ["rivera", "root"]
    assert [user["unit"] for user in listed] == ["Narcotics Unit 3", None]

    # The new account logs in.
    assert client_for("rivera").get("/api/v1/auth/me").json()["user"]["unit_id"] == body["unit_id"]


def test_investigator_cannot_manage_accounts(
    factory: sessionmaker[Session], client_for: ClientFactory
) -> None:
    make_user(factory, "alice")
    alice = client_for("alice")
    assert alice.get("/api/v1/users").status_code == 403
    assert alice.post("/api/v1/users", json=NEW_USER).status_code == 403
    assert alice.post("/api/v1/units", json={"name": "Unit C"}).status_code == 403


def test_create_user_validation(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "root", role="administrator", unit=None)
    root = client_for("root")
    short = root.post("/api/v1/users", json={**NEW_USER, "password": "tiny-pw"})
    bad_name = root.post("/api/v1/users", json={**NEW_USER, "username": "Not Valid"})
    bad_role = root.post("/api/v1/users", json={**NEW_USER, "role": "sheriff"})
    assert short.status_code == 422
    assert set(short.json()["error"]["fields"]) == {"password"}
    assert "tiny-pw" not in short.text
    assert bad_name.status_code == 422
    assert set(bad_name.json()["error"]["fields"]) == {"username"}
    assert bad_role.status_code == 422
    assert set(bad_role.json()["error"]["fields"]) == {"role"}


def test_duplicate_user_conflicts(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "root", role="administrator", unit=None)
    root = client_for("root")
    assert root.post("/api/v1/users", json=NEW_USER).status_code == 201
    again = root.post("/api/v1/users", json=NEW_USER)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"


def test_units(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    make_user(factory, "root", role="administrator", unit=None)
    root = client_for("root")
    parent = root.post("/api/v1/units", json={"name": "Narcotics"})
    child = root.post("/api/v1/units", json={"name": "Narcotics Unit 3", "parent": "Narcotics"})
    orphan = root.post("/api/v1/units", json={"name": "Lost", "parent": "No Such Unit"})
    again = root.post("/api/v1/units", json={"name": "Narcotics"})
    assert parent.status_code == 201
    assert child.status_code == 201
    assert child.json()["parent_id"] == parent.json()["id"]
    assert orphan.status_code == 404
    assert again.status_code == 409


def test_supervisor_of_parent_unit_sees_sub_unit_case(
    factory: sessionmaker[Session], client_for: ClientFactory
) -> None:
    make_user(factory, "root", role="administrator", unit=None)
    root = client_for("root")
    root.post("/api/v1/units", json={"name": "Narcotics"})
    root.post("/api/v1/units", json={"name": "Narcotics Unit 3", "parent": "Narcotics"})
    root.post("/api/v1/users", json={**NEW_USER, "unit": "Narcotics Unit 3"})
    root.post(
        "/api/v1/users",
        json={**NEW_USER, "username": "okafor", "role": "supervisor", "unit": "Narcotics"},
    )
    case = client_for("rivera").post("/api/v1/cases", json={"title": "Hub number"}).json()
    assert client_for("okafor").get(f"/api/v1/cases/{case['number']}").status_code == 200

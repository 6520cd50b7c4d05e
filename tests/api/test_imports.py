"""FtM import through the API: real OpenSanctions files, invalid values and rejected files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.conftest import ClientFactory
from tests.conftest import DATA_DIR
from tests.factories import make_case, make_user

ZALA = DATA_DIR / "ftm_opensanctions_zala_slice.ftm.json"
T1_MIXED = DATA_DIR / "ftm_opensanctions_t1_mixed.ftm.json"
ZALA_SCHEMATA = {
    "Person": 6,
    "Company": 11,
    "Ownership": 14,
    "Directorship": 3,
    "Family": 4,
    "Address": 11,
    "Passport": 1,
    "Sanction": 41,
}


@pytest.fixture
def alice(factory: sessionmaker[Session], client_for: ClientFactory) -> TestClient:
    make_user(factory, "alice")
    make_case(factory, "alice", number="2026-0142")
    return client_for("alice")


def _upload(
    client: TestClient, path: Path | None = None, *, content: bytes | None = None, **form: str
) -> Any:
    name = path.name if path is not None else "built.ftm.json"
    data = content if content is not None else path.read_bytes()  # type: ignore[union-attr]
    return client.post(
        "/api/v1/cases/2026-0142/imports/ftm",
        files={"file": (name, data, "application/json")},
        data=form,
    )


def _entity_total(client: TestClient) -> int:
    page = client.get("/api/v1/cases/2026-0142/entities", params={"include_relationships": True})
    total: int = page.json()["total"]
    return total


def test_invalid_phone_rejects_whole_file(alice: TestClient) -> None:
    response = _upload(alice, ZALA)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "import_failed"
    assert error["fields"] == {"line": "12", "property": "phone"}
    assert "line 12" in error["message"]
    assert _entity_total(alice) == 0


def test_skip_invalid_values_imports_zala(alice: TestClient) -> None:
    response = _upload(alice, ZALA, skip_invalid_values="true")
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["entities"] == 91
    assert report["schemata"] == ZALA_SCHEMATA
    assert report["file_name"] == ZALA.name
    assert report["lines"] == 91
    assert report["statements"] > report["entities"]
    assert [(item["line"], item["property"]) for item in report["skipped_values"]] == [(12, "phone")]
    assert _entity_total(alice) == 91
    persons = alice.get("/api/v1/cases/2026-0142/entities", params={"schema": "Person"}).json()
    assert persons["total"] == 6


def test_report_hash_matches_file(alice: TestClient) -> None:
    report = _upload(alice, T1_MIXED).json()
    assert report["sha256"] == hashlib.sha256(T1_MIXED.read_bytes()).hexdigest()


def test_import_t1_mixed(alice: TestClient) -> None:
    response = _upload(alice, T1_MIXED)
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["entities"] == 7
    assert sum(report["schemata"].values()) == 7
    assert report["skipped_values"] == []
    assert _entity_total(alice) == 7


def test_imported_statements_carry_batch(alice: TestClient) -> None:
    report = _upload(alice, T1_MIXED).json()
    first_id = json.loads(T1_MIXED.read_text(encoding="utf-8").splitlines()[0])["id"]
    entity = alice.get(f"/api/v1/cases/2026-0142/entities/{first_id}").json()
    assert entity["entity"]["id"] == first_id
    assert entity["statements"]
    for statement in entity["statements"]:
        assert statement["source"] == {"type": "import", "id": report["batch_id"]}
        assert statement["recorded_by"] == "alice"


def test_imported_relationships_are_listed(alice: TestClient) -> None:
    _upload(alice, ZALA, skip_invalid_values="true")
    ownerships = alice.get(
        "/api/v1/cases/2026-0142/entities", params={"schema": "Ownership", "limit": 1}
    ).json()
    ownership = alice.get(f"/api/v1/cases/2026-0142/entities/{ownerships['items'][0]['id']}").json()
    owner_id = ownership["entity"]["properties"]["owner"][0]
    relationships = alice.get(f"/api/v1/cases/2026-0142/entities/{owner_id}/relationships")
    assert relationships.status_code == 200
    assert ownership["entity"]["id"] in [item["entity"]["id"] for item in relationships.json()]


def test_invalid_json_line_names_line(alice: TestClient) -> None:
    lines = [
        json.dumps({"id": "p1", "schema": "Person", "properties": {"name": ["Anna Example"]}}),
        '{"id": "p2", "schema": "Person", "properties": ',
    ]
    response = _upload(alice, content="\n".join(lines).encode())
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["line"] == "2"
    assert _entity_total(alice) == 0


def test_unknown_property_names_line_and_property(alice: TestClient) -> None:
    lines = [
        json.dumps({"id": "p1", "schema": "Person", "properties": {"name": ["Anna Example"]}}),
        json.dumps({"id": "p2", "schema": "Person", "properties": {"name": ["B"]}}),
        json.dumps({"id": "p3", "schema": "Person", "properties": {"wingspan": ["3 m"]}}),
    ]
    response = _upload(alice, content="\n".join(lines).encode())
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"line": "3", "property": "wingspan"}
    assert _entity_total(alice) == 0


def test_empty_file_rejected(alice: TestClient) -> None:
    response = _upload(alice, content=b"")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "import_failed"


def test_missing_file_field_rejected(alice: TestClient) -> None:
    response = alice.post("/api/v1/cases/2026-0142/imports/ftm", data={"skip_invalid_values": "true"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"


def test_import_into_hidden_case_is_404(
    factory: sessionmaker[Session], client_for: ClientFactory, alice: TestClient
) -> None:
    make_user(factory, "bob", unit="Unit B")
    response = _upload(client_for("bob"), T1_MIXED)
    assert response.status_code == 404
    assert _entity_total(alice) == 0


def test_import_with_cookie_needs_csrf(alice: TestClient) -> None:
    csrf = alice.headers.pop("X-CSRF-Token")
    rejected = _upload(alice, T1_MIXED)
    accepted = _upload(alice, T1_MIXED, csrf_token=csrf)
    assert rejected.status_code == 403
    assert accepted.status_code == 201

"""The public tip API: submission with attachments, receipt codes and rate limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from casetrail.blobs.keys import ensure_master_key
from casetrail.core.settings import LeadSettings, Settings
from casetrail.http.deps import CSRF_HEADER
from tests.api.conftest import ClientFactory
from tests.factories import make_user

TIP = {"body": "A blue van parks at 14 Elm Street every night; the driver's phone is +1 202 555 0188."}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    configured = Settings(
        database_url=database_url,
        data_dir=tmp_path / "var",
        log_format="console",
        leads=LeadSettings(receipt_attempts_per_window=3, tips_per_window=4, max_attachments=2),
    )
    ensure_master_key(configured)
    return configured


@pytest.fixture
def clerk(factory: sessionmaker[Session]) -> None:
    make_user(factory, "clerk", role="intake", unit="Unit A")


def _submit(client: TestClient, files: list[tuple[str, tuple[str, bytes, str]]] | None = None) -> str:
    response = client.post("/api/v1/tips", data=TIP, files=files or [])
    assert response.status_code == 201, response.text
    code: str = response.json()["receipt_code"]
    return code


@pytest.mark.usefixtures("clerk")
def test_tip_with_attachments_reaches_queue(anonymous: TestClient, client_for: ClientFactory) -> None:
    files = [
        ("files", ("photo1.jpg", b"\xff\xd8\xff first", "image/jpeg")),
        ("files", ("photo2.jpg", b"\xff\xd8\xff second", "image/jpeg")),
    ]
    _submit(anonymous, files)
    clerk = client_for("clerk")
    queue = clerk.get("/api/v1/leads").json()
    assert queue["total"] == 1
    reference = queue["items"][0]["lead"]["reference"]
    detail = clerk.get(f"/api/v1/leads/{reference}").json()
    assert sorted(item["file_name"] for item in detail["attachments"]) == ["photo1.jpg", "photo2.jpg"]
    assert {item["status"] for item in detail["attachments"]} <= {
        "queued",
        "processing",
        "ingested",
        "failed",
    }


def test_too_many_attachments_rejected(anonymous: TestClient) -> None:
    files = [("files", (f"f{index}.txt", b"x", "text/plain")) for index in range(3)]
    response = anonymous.post("/api/v1/tips", data=TIP, files=files)
    assert response.status_code == 422
    assert "attachments" in response.json()["error"]["fields"]


@pytest.mark.usefixtures("clerk")
def test_receipt_code_adds_information(anonymous: TestClient, client_for: ClientFactory) -> None:
    code = _submit(anonymous)
    added = anonymous.post(
        "/api/v1/tips/receipt",
        data={"code": code, "body": "The plate is KX 123."},
        files=[("files", ("third.jpg", b"\xff\xd8\xff third", "image/jpeg"))],
    )
    assert added.status_code == 200, added.text
    assert added.json() == {"attachments": 1}
    clerk = client_for("clerk")
    reference = clerk.get("/api/v1/leads").json()["items"][0]["lead"]["reference"]
    detail = clerk.get(f"/api/v1/leads/{reference}").json()
    assert [item["body"] for item in detail["additions"]] == ["The plate is KX 123."]
    assert [item["file_name"] for item in detail["attachments"]] == ["third.jpg"]


def test_wrong_codes_are_refused_then_rate_limited(anonymous: TestClient) -> None:
    code = _submit(anonymous)
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    statuses = [
        anonymous.post("/api/v1/tips/receipt", data={"code": wrong, "body": "more"}).status_code
        for _ in range(3)
    ]
    assert statuses == [404, 404, 404]
    blocked = anonymous.post("/api/v1/tips/receipt", data={"code": code, "body": "more"})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "rate_limited"


def test_tip_form_is_rate_limited(anonymous: TestClient) -> None:
    for _ in range(4):
        _submit(anonymous)
    response = anonymous.post("/api/v1/tips", data=TIP)
    assert response.status_code == 429


@pytest.mark.parametrize("path", ["/api/v1/tips", "/api/v1/tips/receipt"])
def test_tip_routes_need_csrf_with_session(
    client_for: ClientFactory, factory: sessionmaker[Session], path: str
) -> None:
    """Check the 403 that the API description documents for the public tip routes."""
    make_user(factory, "alice", role="investigator", unit="Unit A")
    client = client_for("alice")
    del client.headers[CSRF_HEADER]
    response = client.post(path, data={**TIP, "code": "unused"})
    assert response.status_code == 403, response.text

"""The public tip pages: the form, its CSRF token, the receipt code and the rate limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.blobs.keys import ensure_master_key
from casetrail.core.settings import LeadSettings, Settings
from casetrail.db.engine import transaction
from casetrail.documents.models import Document
from casetrail.leads.models import Lead, LeadAddition
from tests.web.html import hidden_value

TIP = {"body": "A blue van parks at 14 Elm Street every night.", "location": "14 Elm Street"}
CODE_PATTERN = re.compile(r'id="receipt-code">(.*?)</p>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    configured = Settings(
        database_url=database_url,
        data_dir=tmp_path / "var",
        log_format="console",
        leads=LeadSettings(receipt_attempts_per_window=3, tips_per_window=3),
    )
    ensure_master_key(configured)
    return configured


def _submit(client: TestClient, data: dict[str, str], files: list[tuple[str, tuple[str, bytes, str]]]) -> str:
    form = client.get("/tips/new")
    assert form.status_code == 200
    response = client.post(
        "/tips/new", data={**data, "form_token": hidden_value(form.text, "form_token")}, files=files
    )
    assert response.status_code == 200, response.text
    match = CODE_PATTERN.search(response.text)
    assert match is not None
    return TAG.sub("", match.group(1))


def test_form_needs_no_account_and_no_inline_script(anonymous: TestClient) -> None:
    response = anonymous.get("/tips/new")
    assert response.status_code == 200
    assert "<script" not in response.text
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert 'enctype="multipart/form-data"' in response.text


def test_tip_with_photos_is_stored(anonymous: TestClient, factory: sessionmaker[Session]) -> None:
    files = [
        ("files", ("one.jpg", b"\xff\xd8\xff one", "image/jpeg")),
        ("files", ("two.jpg", b"\xff\xd8\xff two", "image/jpeg")),
    ]
    code = _submit(anonymous, TIP, files)
    assert len(code.replace("-", "")) == 32
    with transaction(factory) as session:
        lead = session.execute(select(Lead)).scalar_one()
        names = sorted(
            session.execute(select(Document.file_name).where(Document.lead_id == lead.id)).scalars()
        )
    assert lead.location == "14 Elm Street"
    assert names == ["one.jpg", "two.jpg"]


def test_tip_without_file_is_accepted(anonymous: TestClient, factory: sessionmaker[Session]) -> None:
    # A browser sends an empty file part when no file was chosen.
    _submit(anonymous, TIP, [("files", ("", b"", "application/octet-stream"))])
    with transaction(factory) as session:
        documents = list(session.execute(select(Document)).scalars())
    assert documents == []


def test_post_without_form_token_is_rejected(anonymous: TestClient, factory: sessionmaker[Session]) -> None:
    response = anonymous.post("/tips/new", data={**TIP, "form_token": "forged"})
    assert response.status_code == 403
    assert "The form expired" in response.text
    assert "14 Elm Street" in response.text
    with transaction(factory) as session:
        assert session.execute(select(Lead)).first() is None


def test_receipt_page_adds_information(anonymous: TestClient, factory: sessionmaker[Session]) -> None:
    code = _submit(anonymous, TIP, [])
    form = anonymous.get("/tips/receipt")
    response = anonymous.post(
        "/tips/receipt",
        data={
            "code": code.lower(),
            "body": "The plate is KX 123.",
            "form_token": hidden_value(form.text, "form_token"),
        },
        files=[("files", ("three.jpg", b"\xff\xd8\xff three", "image/jpeg"))],
    )
    assert response.status_code == 200, response.text
    assert "was added to your tip" in response.text
    with transaction(factory) as session:
        bodies = list(session.execute(select(LeadAddition.body)).scalars())
    assert bodies == ["The plate is KX 123."]


def test_wrong_codes_are_refused_then_rate_limited(anonymous: TestClient) -> None:
    code = _submit(anonymous, TIP, [])
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    statuses = []
    for _ in range(4):
        form = anonymous.get("/tips/receipt")
        response = anonymous.post(
            "/tips/receipt",
            data={"code": wrong, "body": "more", "form_token": hidden_value(form.text, "form_token")},
        )
        statuses.append(response.status_code)
    assert statuses == [404, 404, 404, 429]
    assert "Too many requests" in response.text


def test_receipt_code_groups_are_unbreakable(anonymous: TestClient) -> None:
    form = anonymous.get("/tips/new")
    response = anonymous.post("/tips/new", data={**TIP, "form_token": hidden_value(form.text, "form_token")})
    groups = re.findall(r'<span class="receipt-group">([A-Z2-7]{4})</span>', response.text)
    assert len(groups) == 8


def test_wrong_code_shows_form_again(anonymous: TestClient, factory: sessionmaker[Session]) -> None:
    code = _submit(anonymous, TIP, [])
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    form = anonymous.get("/tips/receipt")
    response = anonymous.post(
        "/tips/receipt",
        data={"code": wrong, "body": "The van is red.", "form_token": hidden_value(form.text, "form_token")},
        files=[("files", ("four.jpg", b"\xff\xd8\xff four", "image/jpeg"))],
    )
    assert response.status_code == 404
    assert "No tip has this receipt code. Check it and try again." in response.text
    assert "Choose your files again" in response.text
    assert ">The van is red.</textarea>" in response.text
    assert wrong not in response.text
    assert hidden_value(response.text, "form_token") != hidden_value(form.text, "form_token")
    with transaction(factory) as session:
        assert session.execute(select(LeadAddition)).first() is None


def test_empty_addition_keeps_code(anonymous: TestClient) -> None:
    code = _submit(anonymous, TIP, [])
    form = anonymous.get("/tips/receipt")
    response = anonymous.post(
        "/tips/receipt",
        data={"code": code, "body": " ", "form_token": hidden_value(form.text, "form_token")},
    )
    assert response.status_code == 422
    assert "Add some text or a file." in response.text
    assert f'value="{code}"' in response.text


def test_tip_form_is_rate_limited(anonymous: TestClient) -> None:
    for _ in range(3):
        _submit(anonymous, TIP, [])
    form = anonymous.get("/tips/new")
    response = anonymous.post("/tips/new", data={**TIP, "form_token": hidden_value(form.text, "form_token")})
    assert response.status_code == 429

"""Legal documents through the API: create, edit, review, download, redact, verify."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from casetrail.legal.render import shipped_file
from tests.api.conftest import ClientFactory
from tests.factories import make_user
from tests.legal.conftest import CST, SYNOPSIS, ZAKHAROV, ZAKHAROV_NAME, LegalWorld, load_world, make_store
from tests.legal.conftest import database_url as database_url  # noqa: PLC0414 - a copy of the built world
from tests.legal.pdftext import pypdf_text


@pytest.fixture
def world(
    request: pytest.FixtureRequest, backend: str, factory: sessionmaker[Session], settings: Settings
) -> LegalWorld:
    return load_world(request, backend, factory, settings, make_store(settings))


SECTIONS = {"synopsis": SYNOPSIS, "details": "Registry visit.", "conclusion": "Refer."}


def _create(client_for: ClientFactory, world: LegalWorld) -> dict[str, object]:
    alice = client_for("alice")
    response = alice.post(
        f"/api/v1/cases/{world.number}/legal",
        json={
            "template": "report_of_investigation",
            "title": "Report on CST",
            "selection": {"subjects": [ZAKHAROV, CST], "evidence": [world.item_number]},
            "sections": SECTIONS,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_templates_are_listed(client_for: ClientFactory, world: LegalWorld) -> None:
    response = client_for("alice").get("/api/v1/legal/templates")
    keys = [template["key"] for template in response.json()]
    assert response.status_code == 200
    assert "search_warrant_affidavit" in keys


def test_template_save_reports_line(client_for: ClientFactory, world: LegalWorld) -> None:
    admin = _admin(client_for, world)
    response = admin.put(
        "/api/v1/legal/templates/broken",
        json={"source": "= A\n\n#nosuchfunction()\n", "definition": shipped_file("case_summary.toml")},
    )
    assert response.status_code == 422
    assert "template broken, line 3" in response.json()["error"]["message"]


def _admin(client_for: ClientFactory, world: LegalWorld) -> TestClient:
    make_user(world.factory, "adam", role="administrator", unit=None)
    return client_for("adam")


def test_full_workflow_and_verify(client_for: ClientFactory, world: LegalWorld) -> None:
    created = _create(client_for, world)
    base = f"/api/v1/cases/{world.number}/legal/{created['id']}"
    alice = client_for("alice")
    sam = client_for("sam")

    submitted = alice.post(f"{base}/submit", json={"expected_version": created["version"]})
    assert submitted.status_code == 200, submitted.text
    assert alice.get(base).json()["actions"]["review"] is False
    assert sam.get(base).json()["actions"]["review"] is True

    denied = alice.post(f"{base}/approve", json={"expected_version": submitted.json()["version"]})
    assert denied.status_code == 403
    approved = sam.post(f"{base}/approve", json={"expected_version": submitted.json()["version"]})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"

    pdf = alice.get(f"{base}/document.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == approved.json()["versions"][0]["pdf_sha256"]
    assert ZAKHAROV_NAME in pypdf_text(pdf.content)

    verified = alice.post(
        "/api/v1/legal/verify", content=pdf.content, headers={"content-type": "application/pdf"}
    )
    assert verified.json()["verdict"] == "issued"
    changed = alice.post(
        "/api/v1/legal/verify", content=pdf.content + b"\n%", headers={"content-type": "application/pdf"}
    )
    assert changed.json()["verdict"] == "changed"


def test_verify_rejects_a_form_upload(client_for: ClientFactory, world: LegalWorld) -> None:
    alice = client_for("alice")
    response = alice.post(
        "/api/v1/legal/verify", files={"file": ("roi.pdf", b"%PDF-1.7\n", "application/pdf")}
    )
    error = response.json()["error"]
    assert response.status_code == 422
    assert "Content-Type application/pdf" in error["message"]
    assert "multipart/form-data" in error["message"]


def test_docx_download(client_for: ClientFactory, world: LegalWorld) -> None:
    created = _create(client_for, world)
    response = client_for("alice").get(f"/api/v1/cases/{world.number}/legal/{created['id']}/document.docx")
    assert response.status_code == 200
    assert response.content.startswith(b"PK")


def test_outsider_gets_not_found(client_for: ClientFactory, world: LegalWorld) -> None:
    created = _create(client_for, world)
    response = client_for("bob").get(f"/api/v1/cases/{world.number}/legal/{created['id']}")
    assert response.status_code == 404


def test_redaction_through_api(client_for: ClientFactory, world: LegalWorld) -> None:
    document = world.approved()
    alice = client_for("alice")
    response = alice.post(
        f"/api/v1/cases/{world.number}/legal/{document.id}/redact",
        json={"entities": [ZAKHAROV], "passages": []},
    )
    assert response.status_code == 201, response.text
    copy = response.json()
    assert copy["redacted_from"] == document.id
    pdf = alice.get(f"/api/v1/cases/{world.number}/legal/{copy['id']}/document.pdf").content
    assert "Zakharov" not in pypdf_text(pdf)

"""Labels, custody reports and evidence packages through the API: real PDFs and a verifiable zip."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from casetrail.evidence.package_verify import verify_package
from tests.api.conftest import ClientFactory
from tests.api.test_evidence_support import (
    EVIDENCE,
    MIB,
    EvidenceCase,
    build_evidence_case,
    flip_byte,
    pattern,
)


@pytest.fixture
def world(
    app: FastAPI, factory: sessionmaker[Session], settings: Settings, client_for: ClientFactory
) -> EvidenceCase:
    return build_evidence_case(app, factory, settings, client_for)


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


def test_label_pdf_names_item(world: EvidenceCase) -> None:
    item = world.register(number="SEIZE-77")
    response = world.client("carol").get(f"{EVIDENCE}/{item['number']}/label.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="label-2026-0142-SEIZE-77.pdf"'
    text = _text(response.content)
    assert "SEIZE-77" in text
    assert world.case.number in text
    labels = world.audit("evidence.label", "carol")
    assert [record.object_id for record in labels] == [item["id"]]


def test_item_report_pdf_names_item(world: EvidenceCase) -> None:
    item = world.register()
    other = world.register(description="Notebook", category="document", number="N-5")
    response = world.client("alice").get(f"{EVIDENCE}/{item['number']}/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = _text(response.content)
    assert item["number"] in text
    assert world.case.number in text
    assert other["number"] not in text


def test_case_report_pdf_names_every_item(world: EvidenceCase) -> None:
    first = world.register()
    second = world.register(description="Notebook", category="document", number="N-5")
    response = world.client("alice").get(f"{EVIDENCE}/report.pdf")
    assert response.status_code == 200
    text = _text(response.content)
    assert first["number"] in text
    assert second["number"] in text
    reports = world.audit("evidence.report", "alice")
    assert [sorted(record.detail["items"]) for record in reports] == [sorted([first["id"], second["id"]])]


def test_case_report_of_empty_register_not_found(world: EvidenceCase) -> None:
    response = world.client("alice").get(f"{EVIDENCE}/report.pdf")
    assert response.status_code == 404


def test_export_package_verifies(world: EvidenceCase, tmp_path: Path) -> None:
    item = world.register()
    data = pattern(MIB + 3)
    stored = world.put_file(item["number"], data, "phone.img")
    response = world.client("alice").post(f"{EVIDENCE}/export", json={})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == 'attachment; filename="evidence-package-2026-0142.zip"'
    assert int(response.headers["content-length"]) == len(response.content)
    target = tmp_path / "package.zip"
    target.write_bytes(response.content)
    check = verify_package(target, response.headers["x-signing-key-fingerprint"])
    assert check.ok, check.problems
    with zipfile.ZipFile(target) as archive:
        original = archive.read(f"files/{item['number']}/phone.img")
        manifest = archive.read("manifest.json")
    assert hashlib.sha256(original).hexdigest() == stored["sha256"]
    assert hashlib.sha256(manifest).hexdigest() == response.headers["x-manifest-sha256"]
    exports = world.audit("evidence.export", "alice")
    assert [record.detail["files"] for record in exports] == [[stored["id"]]]


def test_export_of_chosen_items(world: EvidenceCase, tmp_path: Path) -> None:
    chosen = world.register()
    left_out = world.register(description="Notebook", category="document")
    world.put_file(chosen["number"], b"chosen bytes", "chosen.bin")
    world.put_file(left_out["number"], b"left out bytes", "left-out.bin")
    response = world.client("alice").post(f"{EVIDENCE}/export", json={"items": [chosen["number"]]})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
    assert f"files/{chosen['number']}/chosen.bin" in names
    assert f"files/{left_out['number']}/left-out.bin" not in names


def test_export_leaves_no_temporary_file(world: EvidenceCase) -> None:
    item = world.register()
    world.put_file(item["number"], b"exported bytes")
    response = world.client("alice").post(f"{EVIDENCE}/export", json={})
    assert response.status_code == 200
    assert list((world.settings.data_dir / "tmp").iterdir()) == []


def test_export_with_changed_file_fails(world: EvidenceCase) -> None:
    item = world.register()
    stored = world.put_file(item["number"], pattern(MIB + 3))
    blob = world.blob_path(stored["sha256"])
    flip_byte(blob, -3)
    response = world.client("alice").post(f"{EVIDENCE}/export", json={})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "integrity_failed"
    assert world.audit("evidence.export", "alice") == []
    assert list((world.settings.data_dir / "tmp").iterdir()) == []

"""Need-to-know on evidence through the API, and the audit trail of every read and download."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from tests.api.conftest import ClientFactory
from tests.api.test_evidence_support import (
    CASE_NUMBER,
    EVIDENCE,
    SEIZED_AT,
    EvidenceCase,
    build_evidence_case,
)

MISSING_NUMBER = "2026-9999"


@dataclass(frozen=True)
class Seeded:
    item_number: str
    item_id: str
    sha256: str
    file_id: str


@pytest.fixture
def world(
    app: FastAPI, factory: sessionmaker[Session], settings: Settings, client_for: ClientFactory
) -> EvidenceCase:
    return build_evidence_case(app, factory, settings, client_for)


@pytest.fixture
def seeded(world: EvidenceCase) -> Seeded:
    item = world.register()
    stored = world.put_file(item["number"], b"restricted forensic image")
    return Seeded(item["number"], item["id"], stored["sha256"], stored["id"])


def _reads(base: str, seeded: Seeded) -> list[str]:
    item = f"{base}/{seeded.item_number}"
    return [
        base,
        item,
        f"{item}/custody",
        f"{item}/files",
        f"{item}/files/{seeded.sha256}",
        f"{item}/label.pdf",
        f"{item}/report.pdf",
        f"{base}/report.pdf",
    ]


def _writes(client: TestClient, base: str, seeded: Seeded) -> list[Response]:
    item = f"{base}/{seeded.item_number}"
    return [
        client.post(base, json={"description": "Cash", "category": "currency", "obtained_at": SEIZED_AT}),
        client.patch(item, json={"description": "taken over", "expected_version": 1}),
        client.post(f"{item}/status", json={"status": "in_lab", "reason": "mine", "expected_version": 1}),
        client.post(f"{item}/custody/release", json={"receiver": "bob", "purpose": "storage"}),
        client.post(f"{item}/custody/accept", json={}),
        client.post(f"{item}/entities", json={"entity_id": "person.any"}),
        client.put(f"{item}/files/bob.bin", content=b"bob's bytes"),
        client.post(f"{item}/files", files={"file": ("bob.bin", b"bob's bytes")}),
        client.post(f"{base}/export", json={}),
        client.post(f"{base}/verify"),
    ]


def _body(response: Response) -> Any:
    return response.json()


def test_outsider_gets_404_on_reads(world: EvidenceCase, seeded: Seeded) -> None:
    bob = world.client("bob")
    for path in _reads(EVIDENCE, seeded):
        response = bob.get(path)
        assert response.status_code == 404, path
        assert _body(response)["error"]["code"] == "not_found", path


def test_outsider_gets_404_on_writes(world: EvidenceCase, seeded: Seeded) -> None:
    bob = world.client("bob")
    responses = _writes(bob, EVIDENCE, seeded)
    assert [response.status_code for response in responses] == [404] * len(responses)
    files = world.client("alice").get(f"{EVIDENCE}/{seeded.item_number}/files").json()
    assert [entry["id"] for entry in files] == [seeded.file_id]


def test_hidden_case_reads_like_missing_case(world: EvidenceCase, seeded: Seeded) -> None:
    bob = world.client("bob")
    missing_base = EVIDENCE.replace(CASE_NUMBER, MISSING_NUMBER)
    for hidden_path, missing_path in zip(_reads(EVIDENCE, seeded), _reads(missing_base, seeded), strict=True):
        hidden = bob.get(hidden_path)
        missing = bob.get(missing_path)
        assert hidden.status_code == missing.status_code, hidden_path
        hidden_error = dict(_body(hidden)["error"], request_id=None)
        missing_error = dict(_body(missing)["error"], request_id=None)
        assert str(hidden_error).replace(CASE_NUMBER, MISSING_NUMBER) == str(missing_error), hidden_path


def test_outsider_denials_are_audited(world: EvidenceCase, seeded: Seeded) -> None:
    bob = world.client("bob")
    paths = _reads(EVIDENCE, seeded)
    for path in paths:
        bob.get(path)
    writes = _writes(bob, EVIDENCE, seeded)
    denials = world.audit("access.denied", "bob")
    assert len(denials) == len(paths) + len(writes)
    assert {record.object_id for record in denials} == {world.case.id}
    assert {record.outcome for record in denials} == {"denied"}


def test_outsider_leaves_no_read_record(world: EvidenceCase, seeded: Seeded) -> None:
    bob = world.client("bob")
    for path in _reads(EVIDENCE, seeded):
        bob.get(path)
    for action in (
        "evidence.read",
        "evidence.list",
        "evidence.download",
        "evidence.label",
        "evidence.report",
    ):
        assert world.audit(action, "bob") == [], action


def test_member_reads_and_downloads_are_audited(world: EvidenceCase, seeded: Seeded) -> None:
    carol = world.client("carol")
    item = f"{EVIDENCE}/{seeded.item_number}"
    assert carol.get(EVIDENCE).status_code == 200
    assert carol.get(item).status_code == 200
    assert carol.get(f"{item}/custody").status_code == 200
    assert carol.get(f"{item}/files").status_code == 200
    assert carol.get(f"{item}/files/{seeded.sha256}").status_code == 200
    assert carol.get(f"{item}/label.pdf").status_code == 200
    assert carol.get(f"{item}/report.pdf").status_code == 200
    lists = world.audit("evidence.list", "carol")
    reads = world.audit("evidence.read", "carol")
    downloads = world.audit("evidence.download", "carol")
    labels = world.audit("evidence.label", "carol")
    reports = world.audit("evidence.report", "carol")
    assert len(lists) == 1
    # The download looks the file up by hash in the item's file list, which is a read too.
    assert [record.detail["part"] for record in reads] == ["item", "custody_log", "files", "files"]
    assert {record.object_id for record in reads} == {seeded.item_id}
    assert [record.object_id for record in downloads] == [seeded.file_id]
    assert [record.object_id for record in labels] == [seeded.item_id]
    assert [record.detail["items"] for record in reports] == [[seeded.item_id]]
    assert None not in {record.request_id for record in reads + downloads}


def test_viewer_reads_but_does_not_write(world: EvidenceCase, seeded: Seeded) -> None:
    dave = world.client("dave")
    item = f"{EVIDENCE}/{seeded.item_number}"
    assert dave.get(item).status_code == 200
    assert dave.get(f"{item}/files/{seeded.sha256}").status_code == 200
    export = dave.post(f"{EVIDENCE}/export", json={})
    patch = dave.patch(item, json={"description": "viewer edit", "expected_version": 1})
    assert export.status_code == 403
    assert patch.status_code == 403

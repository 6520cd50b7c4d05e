"""Evidence files through the API: multipart and raw uploads, checked downloads, tampered blobs."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from casetrail.blobs.sealed import read_header
from casetrail.core.settings import Settings
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


def _header_size(path: Path) -> int:
    with path.open("rb") as handle:
        _header, header_bytes = read_header(handle, path.name)
    return len(header_bytes)


@pytest.mark.parametrize(
    "size",
    [
        pytest.param(0, id="empty"),
        pytest.param(2 * MIB, id="two-chunks"),
        pytest.param(3 * MIB + 17, id="odd"),
    ],
)
def test_multipart_upload_round_trip(world: EvidenceCase, size: int) -> None:
    item = world.register()
    data = pattern(size)
    alice = world.client("alice")
    uploaded = alice.post(
        f"{EVIDENCE}/{item['number']}/files",
        files={"file": ("C:\\Exports\\phone.img", data, "application/octet-stream")},
    )
    assert uploaded.status_code == 201, uploaded.text
    stored = uploaded.json()
    assert stored["sha256"] == hashlib.sha256(data).hexdigest()
    assert stored["size"] == size
    assert stored["file_name"] == "phone.img"
    assert stored["kind"] == "original"
    downloaded = alice.get(f"{EVIDENCE}/{item['number']}/files/{stored['sha256']}")
    assert downloaded.status_code == 200
    assert downloaded.content == data
    assert downloaded.headers["x-content-sha256"] == stored["sha256"]
    assert downloaded.headers["content-length"] == str(size)


def test_raw_upload_round_trip(world: EvidenceCase) -> None:
    item = world.register()
    data = pattern(3 * MIB + 4321, seed=b"raw")
    stored = world.put_file(item["number"], data, "phone-image.bin")
    assert stored["sha256"] == hashlib.sha256(data).hexdigest()
    assert stored["size"] == len(data)
    assert stored["file_name"] == "phone-image.bin"
    downloaded = world.client("carol").get(f"{EVIDENCE}/{item['number']}/files/{stored['sha256']}")
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).hexdigest() == stored["sha256"]
    assert downloaded.content == data
    assert downloaded.headers["content-disposition"] == 'attachment; filename="phone-image.bin"'
    assert downloaded.headers["x-content-type-options"] == "nosniff"


def test_download_names_non_ascii_file(world: EvidenceCase) -> None:
    item = world.register()
    name = "Überwachung 1.pdf"
    stored = world.put_file(item["number"], b"%PDF-1.4\n% scanned page\n", quote(name))
    response = world.client("alice").get(f"{EVIDENCE}/{item['number']}/files/{stored['sha256']}")
    assert stored["file_name"] == name
    assert stored["media_type"] == "application/pdf"
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"_berwachung 1.pdf\"; filename*=UTF-8''%C3%9Cberwachung%201.pdf"
    )


def test_upload_enters_custody_log(world: EvidenceCase) -> None:
    item = world.register()
    stored = world.put_file(item["number"], b"extracted chat database")
    events = world.client("alice").get(f"{EVIDENCE}/{item['number']}/custody").json()["events"]
    listed = world.client("alice").get(f"{EVIDENCE}/{item['number']}/files").json()
    assert events[-1]["event_type"] == "file_added"
    assert events[-1]["details"]["sha256"] == stored["sha256"]
    assert [entry["id"] for entry in listed] == [stored["id"]]


def test_same_content_twice_conflicts(world: EvidenceCase) -> None:
    item = world.register()
    world.put_file(item["number"], b"same bytes")
    again = world.client("alice").put(f"{EVIDENCE}/{item['number']}/files/copy.bin", content=b"same bytes")
    assert again.status_code == 409


def test_derived_copy_names_its_original(world: EvidenceCase) -> None:
    item = world.register()
    original = world.put_file(item["number"], b"%PDF-1.4\n% original scan\n", "scan.pdf")
    alice = world.client("alice")
    derived = alice.put(
        f"{EVIDENCE}/{item['number']}/files/scan-redacted.pdf",
        params={"kind": "redacted", "derived_from": original["sha256"]},
        content=b"%PDF-1.4\n% redacted scan\n",
    )
    orphan = alice.post(
        f"{EVIDENCE}/{item['number']}/files",
        data={"kind": "redacted"},
        files={"file": ("loose.pdf", b"%PDF-1.4\n% no original\n", "application/pdf")},
    )
    assert derived.status_code == 201
    assert derived.json()["derived_from_sha256"] == original["sha256"]
    assert orphan.status_code == 422
    assert "derived_from" in orphan.json()["error"]["fields"]


def test_viewer_cannot_upload(world: EvidenceCase) -> None:
    item = world.register()
    dave = world.client("dave")
    raw = dave.put(f"{EVIDENCE}/{item['number']}/files/notes.txt", content=b"viewer bytes")
    form = dave.post(f"{EVIDENCE}/{item['number']}/files", files={"file": ("notes.txt", b"viewer bytes")})
    listed = world.client("alice").get(f"{EVIDENCE}/{item['number']}/files").json()
    assert raw.status_code == 403
    assert form.status_code == 403
    assert listed == []


def test_download_unknown_hash_not_found(world: EvidenceCase) -> None:
    item = world.register()
    response = world.client("alice").get(f"{EVIDENCE}/{item['number']}/files/{'0' * 64}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_download_is_audited(world: EvidenceCase) -> None:
    item = world.register()
    stored = world.put_file(item["number"], b"audited bytes")
    world.client("carol").get(f"{EVIDENCE}/{item['number']}/files/{stored['sha256']}")
    downloads = world.audit("evidence.download", "carol")
    assert [record.object_id for record in downloads] == [stored["id"]]
    assert downloads[0].outcome == "success"
    assert downloads[0].detail["sha256"] == stored["sha256"]


def test_changed_byte_cuts_download_short(world: EvidenceCase) -> None:
    item = world.register()
    data = pattern(3 * MIB + 17)
    stored = world.put_file(item["number"], data)
    blob = world.blob_path(stored["sha256"])
    # The last chunk: the first three reach the client before the check fails.
    flip_byte(blob, -5)
    response = world.lenient_client("carol").get(f"{EVIDENCE}/{item['number']}/files/{stored['sha256']}")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(data)
    assert len(response.content) < len(data)
    assert response.content == data[: len(response.content)]
    failures = [record for record in world.audit("evidence.download", "carol") if record.outcome == "failure"]
    assert len(failures) == 1
    assert failures[0].object_id == stored["id"]
    assert failures[0].detail["bytes_sent"] == 3 * MIB
    assert failures[0].detail["error"] == "integrity_failed"


def test_changed_first_chunk_fails_before_sending(world: EvidenceCase) -> None:
    item = world.register()
    stored = world.put_file(item["number"], pattern(2 * MIB))
    blob = world.blob_path(stored["sha256"])
    flip_byte(blob, _header_size(blob) + 100)
    response = world.client("carol").get(f"{EVIDENCE}/{item['number']}/files/{stored['sha256']}")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "integrity_failed"
    assert item["number"] in response.json()["error"]["message"]
    downloads = world.audit("evidence.download", "carol")
    assert [record.outcome for record in downloads] == ["failure"]
    assert downloads[0].detail["bytes_sent"] == 0


def test_missing_blob_fails_download(world: EvidenceCase) -> None:
    item = world.register()
    stored = world.put_file(item["number"], b"soon gone")
    world.blob_path(stored["sha256"]).unlink()
    response = world.client("alice").get(f"{EVIDENCE}/{item['number']}/files/{stored['sha256']}")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "integrity_failed"
    assert str(world.settings.data_dir) not in response.json()["error"]["message"]


def test_verify_reports_changed_file(world: EvidenceCase) -> None:
    intact_item = world.register()
    changed_item = world.register(description="Laptop", category="device")
    world.put_file(intact_item["number"], b"intact bytes")
    changed = world.put_file(changed_item["number"], pattern(MIB + 10), "laptop.img")
    blob = world.blob_path(changed["sha256"])
    flip_byte(blob, -1)
    response = world.client("carol").post(f"{EVIDENCE}/verify")
    assert response.status_code == 200
    report = response.json()
    assert report["ok"] is False
    assert report["files_checked"] == 2
    assert [failure["item_number"] for failure in report["failures"]] == [changed_item["number"]]
    assert report["failures"][0]["sha256"] == changed["sha256"]
    assert report["failures"][0]["file_name"] == "laptop.img"
    checks = world.audit("evidence.verify", "carol")
    assert [record.outcome for record in checks] == ["failure"]


def test_verify_intact_case(world: EvidenceCase) -> None:
    item = world.register()
    world.put_file(item["number"], pattern(MIB + 1))
    report = world.client("alice").post(f"{EVIDENCE}/verify").json()
    assert report["ok"] is True
    assert report["failures"] == []
    assert report["bytes_checked"] == MIB + 1


def test_raw_upload_leaves_no_spool_file(world: EvidenceCase) -> None:
    item = world.register()
    world.put_file(item["number"], pattern(2 * MIB))
    spool = world.settings.data_dir / "tmp"
    assert list(spool.iterdir()) == []

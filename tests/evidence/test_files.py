"""Digital evidence files: streamed upload and download, derived copies, audit, stored-file checks."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from casetrail.audit.models import AuditRecord
from casetrail.auth.context import operator_context
from casetrail.blobs.sealed import DEFAULT_CHUNK_SIZE
from casetrail.blobs.store import object_key
from casetrail.core.errors import Conflict, IntegrityFailed, PermissionDenied, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.evidence import custody, files, integrity, items
from tests.evidence.conftest import World
from tests.factories import make_user
from tests.support.streams import PatternStream, pattern_sha256


def _download(world: World, item_number: str, file_id: str) -> bytes:
    with transaction(world.factory) as session:
        download = files.open_download(
            session, world.ctx(world.alice), world.store, world.number, item_number, file_id=file_id
        )
    return b"".join(download.chunks)


def _blob_path(world: World, sha256: str) -> Path:
    return world.settings.data_dir / "blobs" / object_key(sha256)


def _actions(world: World, action: str) -> list[AuditRecord]:
    with transaction(world.factory) as session:
        return list(
            session.execute(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq))
            .scalars()
            .all()
        )


@pytest.mark.parametrize(
    "size",
    [
        pytest.param(0, id="empty"),
        pytest.param(DEFAULT_CHUNK_SIZE * 2, id="exact-multiple-of-chunk"),
        pytest.param(DEFAULT_CHUNK_SIZE * 3 + 4321, id="several-chunks"),
    ],
)
def test_upload_download_round_trip(world: World, size: int) -> None:
    item = world.new_item()
    with transaction(world.factory) as session:
        stored = files.add_file(
            session,
            world.ctx(world.alice),
            world.store,
            world.number,
            item.item.number,
            source=PatternStream(size),
            file_name="C:\\Exports\\phone-image.bin",
        )
    assert stored.sha256 == pattern_sha256(size)
    assert stored.size == size
    assert stored.file_name == "phone-image.bin"
    assert stored.uploaded_by_id == world.alice.id
    data = _download(world, item.item.number, stored.id)
    assert len(data) == size
    assert hashlib.sha256(data).hexdigest() == stored.sha256


def test_media_type_detected(world: World) -> None:
    item = world.new_item()
    stored = world.upload(item.item.number, b"%PDF-1.4\n% forensic report\n", name="report.txt")
    assert stored.media_type == "application/pdf"


def test_upload_enters_custody_chain(world: World) -> None:
    item = world.new_item()
    stored = world.upload(item.item.number, b"extraction report")
    with transaction(world.factory) as session:
        event = custody.custody_log(session, operator_context(), world.number, item.item.number)[-1]
        check = custody.verify_custody(session, operator_context(), world.number, item.item.number)
    assert event.event_type == "file_added"
    assert event.details["sha256"] == stored.sha256
    assert event.details["file_id"] == stored.id
    assert check.ok


def test_same_file_twice_rejected(world: World) -> None:
    item = world.new_item()
    world.upload(item.item.number, b"same bytes")
    with pytest.raises(Conflict, match="already contains this content"):
        world.upload(item.item.number, b"same bytes", name="copy.bin")


def test_derived_copy_points_to_original(world: World) -> None:
    item = world.new_item()
    original = world.upload(item.item.number, b"\x89PNG\r\n\x1a\n" + os.urandom(500), name="photo.png")
    with transaction(world.factory) as session:
        thumbnail = files.add_file(
            session,
            world.ctx(world.alice),
            world.store,
            world.number,
            item.item.number,
            source=io.BytesIO(b"small"),
            file_name="photo-thumb.png",
            kind="thumbnail",
            derived_from=original.sha256,
        )
    assert thumbnail.kind == "thumbnail"
    assert thumbnail.derived_from_sha256 == original.sha256


def test_derived_copy_needs_original(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session, pytest.raises(ValidationFailed, match="original file"):
        files.add_file(
            session,
            world.ctx(world.alice),
            world.store,
            world.number,
            item.item.number,
            source=io.BytesIO(b"redacted"),
            file_name="redacted.pdf",
            kind="redacted",
            derived_from="0" * 64,
        )


def test_viewer_cannot_upload(world: World) -> None:
    item = world.new_item()
    with pytest.raises(PermissionDenied):
        world.upload(item.item.number, b"not allowed", user=world.dave)


def test_reads_and_downloads_audited(world: World) -> None:
    item = world.new_item()
    stored = world.upload(item.item.number, b"audited content")
    with transaction(world.factory) as session:
        files.list_files(session, world.ctx(world.carol), world.number, item.item.number)
    _download(world, item.item.number, stored.id)
    reads = _actions(world, "evidence.read")
    downloads = _actions(world, "evidence.download")
    assert [(record.actor_id, record.object_id) for record in reads] == [(world.carol.id, item.item.id)]
    assert reads[0].detail == {"part": "files"}
    assert len(downloads) == 1
    assert downloads[0].actor_id == world.alice.id
    assert downloads[0].object_id == stored.id
    assert downloads[0].detail["sha256"] == stored.sha256


def test_item_read_audited(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session:
        items.get_item(session, world.ctx(world.dave), world.number, item.item.number)
    with transaction(world.factory) as session:
        custody.custody_log(session, world.ctx(world.dave), world.number, item.item.number)
    reads = _actions(world, "evidence.read")
    assert [record.detail["part"] for record in reads] == ["item", "custody_log"]
    assert {record.actor_id for record in reads} == {world.dave.id}


def test_changed_byte_caught_by_verify(world: World) -> None:
    item = world.new_item()
    stored = world.upload(item.item.number, os.urandom(DEFAULT_CHUNK_SIZE + 100), name="dump.bin")
    path = _blob_path(world, stored.sha256)
    sealed = bytearray(path.read_bytes())
    sealed[len(sealed) // 2] ^= 0x20
    path.write_bytes(bytes(sealed))
    with transaction(world.factory) as session:
        report = integrity.verify_blobs(session, operator_context(), world.store, world.number)
    assert not report.ok
    assert report.files_checked == 1
    assert len(report.failures) == 1
    failure = report.failures[0]
    assert failure.ref.item_number == item.item.number
    assert failure.ref.case_number == world.number
    assert failure.ref.sha256 == stored.sha256
    assert "failed authentication" in failure.problem


def test_truncated_blob_caught_by_verify(world: World) -> None:
    item = world.new_item()
    good = world.upload(item.item.number, b"intact file")
    bad = world.upload(item.item.number, os.urandom(50_000), name="cut.bin")
    path = _blob_path(world, bad.sha256)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 1000])
    with transaction(world.factory) as session:
        report = integrity.verify_blobs(session, operator_context(), world.store)
    assert report.files_checked == 2
    assert [failure.ref.sha256 for failure in report.failures] == [bad.sha256]
    assert good.sha256 not in {failure.ref.sha256 for failure in report.failures}


def test_download_of_damaged_file_names_item(world: World) -> None:
    item = world.new_item()
    stored = world.upload(item.item.number, os.urandom(5000))
    path = _blob_path(world, stored.sha256)
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(IntegrityFailed, match=f"{item.item.number} of case {world.number}"):
        _download(world, item.item.number, stored.id)


def test_missing_blob_caught_by_verify(world: World) -> None:
    item = world.new_item()
    stored = world.upload(item.item.number, b"soon gone")
    _blob_path(world, stored.sha256).unlink()
    with transaction(world.factory) as session:
        report = integrity.verify_blobs(session, operator_context(), world.store, world.number)
    assert report.failures[0].problem == f"blob {stored.sha256} is missing from the store"


def test_verify_is_audited(world: World) -> None:
    item = world.new_item()
    world.upload(item.item.number, b"checked")
    with transaction(world.factory) as session:
        integrity.verify_blobs(session, world.ctx(world.alice), world.store, world.number)
    records = _actions(world, "evidence.verify")
    assert len(records) == 1
    assert records[0].outcome == "success"
    assert records[0].detail["files_checked"] == 1


def test_all_cases_check_needs_auditor(world: World) -> None:
    auditor = make_user(world.factory, "olga", role="auditor", unit=None)
    with transaction(world.factory) as session, pytest.raises(PermissionDenied, match="only auditors"):
        integrity.verify_blobs(session, world.ctx(world.alice), world.store)
    with transaction(world.factory) as session:
        report = integrity.verify_blobs(session, world.ctx(auditor), world.store)
    assert report.ok

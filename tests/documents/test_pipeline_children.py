"""Ingestion of files that contain files, media, and bad archives, through the real worker."""

from __future__ import annotations

from sqlalchemy import select

from casetrail.core.settings import DocumentSettings
from casetrail.db.engine import transaction
from casetrail.documents.models import Document
from casetrail.jobs import queue
from casetrail.jobs.models import Job
from tests.documents.conftest import World, reload, run_worker, store_file


def _children(world: World, parent_id: str) -> list[Document]:
    with transaction(world.factory) as session:
        query = select(Document).where(Document.parent_id == parent_id).order_by(Document.file_name)
        return list(session.execute(query).scalars())


def test_mail_attachment_becomes_child(world: World) -> None:
    mail = store_file(world, "email/testEmailWithPNGAtt.eml")

    run_worker(world)

    children = _children(world, mail.id)
    assert reload(world, mail.id).status == "ingested"
    assert len(children) == 1
    assert children[0].depth == 1
    assert children[0].root_id == mail.id
    assert children[0].origin == "child"
    assert children[0].status == "ingested"
    assert children[0].media_type == "image/png"


def test_nested_zip_children_are_ingested(world: World) -> None:
    archive = store_file(world, "archives/test-zip-of-zip.zip")

    run_worker(world)

    [inner] = _children(world, archive.id)
    grandchildren = _children(world, inner.id)
    assert reload(world, archive.id).status == "ingested"
    assert inner.status == "ingested"
    assert grandchildren
    assert {child.depth for child in grandchildren} == {2}


def test_child_beyond_max_depth_is_kept_unread(world: World) -> None:
    world.settings = world.settings.model_copy(update={"documents": DocumentSettings(max_depth=1)})
    archive = store_file(world, "archives/test-zip-of-zip.zip")

    run_worker(world)

    [inner] = _children(world, archive.id)
    grandchildren = _children(world, inner.id)
    assert inner.status == "ingested"
    assert grandchildren
    assert {child.status for child in grandchildren} == {"failed"}
    assert "more than the limit of 1" in (grandchildren[0].failure_reason or "")
    assert world.store.exists(grandchildren[0].sha256)


def test_recursive_zip_fails_alone(world: World) -> None:
    droste = store_file(world, "malformed/droste.zip")
    good = store_file(world, "csv/testCSV.csv")

    stats = run_worker(world)

    assert reload(world, good.id).status == "ingested"
    assert stats.failed == 0
    assert {row.status for row in _tree(world, droste.id)} <= {"ingested", "failed"}
    assert any(row.status == "failed" and row.failure_reason for row in _tree(world, droste.id))


def _tree(world: World, root_id: str) -> list[Document]:
    with transaction(world.factory) as session:
        return list(session.execute(select(Document).where(Document.root_id == root_id)).scalars())


def test_corrupt_zip_fails_with_reason(world: World) -> None:
    document = store_file(world, "malformed/testZIP_corrupted_oom.zip")

    run_worker(world)

    row = reload(world, document.id)
    assert row.status == "failed"
    assert row.failure_reason


def test_video_gets_keyframe_pages(world: World) -> None:
    video = store_file(world, "audio_video/testMP4Video.mp4")

    run_worker(world)

    row = reload(world, video.id)
    assert row.status == "ingested"
    assert row.media_type == "video/mp4"
    assert "media" in row.meta


def test_abandoned_ingestion_marks_document_failed(world: World) -> None:
    document = world.store_bytes(b"some text", "note.txt")
    with transaction(world.factory) as session:
        job = session.execute(select(Job).where(Job.kind == "documents.ingest")).scalar_one()
        job.max_attempts = 1
    # A worker that claimed the job and died: its lease has run out and no attempt is left.
    assert queue.claim(world.factory, "dead-worker", ["documents.ingest"], lease_seconds=-1) is not None

    run_worker(world)

    row = reload(world, document.id)
    assert row.status == "failed"
    assert (row.failure_reason or "").startswith("ingestion stopped:")


def test_password_protected_files_fail_with_reason(world: World) -> None:
    archive = store_file(world, "archives/test7Z_protected_passTika.7z")
    workbook = store_file(world, "office/password_protected.xlsx")

    run_worker(world)

    for document in (archive, workbook):
        row = reload(world, document.id)
        assert row.status == "failed"
        assert "password" in (row.failure_reason or "").lower()

"""Document services with a request context: access, upload, retry, labels, evidence files."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from casetrail.audit.models import AuditRecord
from casetrail.core.errors import Hidden, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.documents import queries, service
from casetrail.documents.service import Upload
from casetrail.evidence import files, items
from casetrail.evidence.items import NewItem
from casetrail.jobs.models import Job
from tests.documents.conftest import World, reload, run_worker, store_file
from tests.evidence.conftest import SEIZED_AT


def _upload(world: World, *files_: tuple[str, bytes], user: str = "alice") -> list[str]:
    actor = getattr(world, user)
    with transaction(world.factory) as session:
        uploads = [Upload(io.BytesIO(data), name) for name, data in files_]
        stored = service.upload_documents(
            session,
            world.ctx(actor),
            world.number,
            blobs=world.store,
            settings=world.settings,
            uploads=uploads,
        )
        return [document.id for document in stored]


def test_upload_stores_several_files(world: World) -> None:
    ids = _upload(world, ("a.txt", b"first"), ("b.txt", b"second"))

    with transaction(world.factory) as session:
        listed = queries.list_documents(session, world.ctx(world.alice), world.number)
        jobs = session.execute(select(Job.id)).all()
    assert sorted(document.id for document in listed.items) == sorted(ids)
    assert listed.total == 2
    assert len(jobs) == 2


def test_upload_keeps_only_base_name(world: World) -> None:
    [document_id] = _upload(world, ("../../etc/passwd", b"root"))

    assert reload(world, document_id).file_name == "passwd"


def test_upload_bad_name_rejects_whole_request(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _upload(world, ("good.txt", b"ok"), ("..", b"bad"))

    assert caught.value.errors == {"files[1]": "give the file's name"}
    with transaction(world.factory) as session:
        assert queries.list_documents(session, world.ctx(world.alice), world.number).total == 0


def test_upload_over_limit_is_rejected(world: World) -> None:
    small = world.settings.model_copy(
        update={"documents": world.settings.documents.model_copy(update={"max_upload_bytes": 10})}
    )
    with pytest.raises(ValidationFailed), transaction(world.factory) as session:
        service.upload_documents(
            session,
            world.ctx(world.alice),
            world.number,
            blobs=world.store,
            settings=small,
            uploads=[Upload(io.BytesIO(b"x" * 11), "big.txt")],
        )


def test_viewer_cannot_upload(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _upload(world, ("a.txt", b"x"), user="dave")


def test_outsider_sees_no_case(world: World) -> None:
    with pytest.raises(Hidden):
        _upload(world, ("a.txt", b"x"), user="bob")


def test_outsider_cannot_read_document(world: World) -> None:
    [document_id] = _upload(world, ("a.txt", b"x"))

    with pytest.raises(Hidden), transaction(world.factory) as session:
        queries.get_document(session, world.ctx(world.bob), document_id)


def test_viewer_reads_document(world: World) -> None:
    [document_id] = _upload(world, ("a.txt", b"x"))

    with transaction(world.factory) as session:
        view = queries.get_document(session, world.ctx(world.dave), document_id)

    assert view.document.id == document_id
    assert not view.access.can_write


def test_read_is_audited(world: World) -> None:
    [document_id] = _upload(world, ("a.txt", b"x"))

    with transaction(world.factory) as session:
        queries.get_document(session, world.ctx(world.carol), document_id)
    with transaction(world.factory) as session:
        actions = (
            session.execute(select(AuditRecord.action).where(AuditRecord.object_id == document_id))
            .scalars()
            .all()
        )

    assert "document.upload" in actions
    assert "document.read" in actions


def test_retry_requeues_failed_document(world: World) -> None:
    [document_id] = _upload(world, ("noise.bin", bytes(range(256)) * 3))
    run_worker(world)
    assert reload(world, document_id).status == "failed"

    with transaction(world.factory) as session:
        service.retry_document(session, world.ctx(world.alice), world.settings, document_id)

    row = reload(world, document_id)
    assert row.status == "queued"
    assert row.failure_reason is None
    stats = run_worker(world)
    assert stats.done == 1
    assert reload(world, document_id).attempts == 2


def test_retry_rejects_ingested_document(world: World) -> None:
    document = store_file(world, "csv/testCSV.csv")
    run_worker(world)

    with pytest.raises(InvalidTransition), transaction(world.factory) as session:
        service.retry_document(session, world.ctx(world.alice), world.settings, document.id)


def test_labels_are_cleaned_and_versioned(world: World) -> None:
    [document_id] = _upload(world, ("a.txt", b"x"))
    version = reload(world, document_id).version

    with transaction(world.factory) as session:
        service.set_labels(
            session,
            world.ctx(world.alice),
            document_id,
            ["Privileged", "privileged", "translated"],
            expected_version=version,
        )

    assert reload(world, document_id).labels == ["privileged", "translated"]


def test_labels_reject_bad_value(world: World) -> None:
    [document_id] = _upload(world, ("a.txt", b"x"))
    version = reload(world, document_id).version

    with pytest.raises(ValidationFailed) as caught, transaction(world.factory) as session:
        service.set_labels(
            session, world.ctx(world.alice), document_id, ["ok", "<script>"], expected_version=version
        )

    assert "labels[1]" in caught.value.errors


def test_evidence_file_becomes_document(world: World) -> None:
    with transaction(world.factory) as session:
        item = items.create_item(
            session,
            world.ctx(world.alice),
            world.number,
            NewItem(
                description="USB stick",
                category="device",
                obtained_at=SEIZED_AT,
                obtained_method="search warrant",
                obtained_place="12 Elm St",
                seal_number="S-1",
            ),
        )
    pdf = (world.data / "pdf/testPDF.pdf").read_bytes()
    with transaction(world.factory) as session:
        evidence_file = files.add_file(
            session,
            world.ctx(world.alice),
            world.store,
            world.number,
            item.item.number,
            source=io.BytesIO(pdf),
            file_name="report.pdf",
        )

    with transaction(world.factory) as session:
        document = service.ingest_evidence_file(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            blobs=world.store,
            settings=world.settings,
            file_id=evidence_file.id,
        )
    with transaction(world.factory) as session:
        again = service.ingest_evidence_file(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            blobs=world.store,
            settings=world.settings,
            file_id=evidence_file.id,
        )
    run_worker(world)

    row = reload(world, document.id)
    assert again.id == document.id
    assert row.origin == "evidence"
    assert row.evidence_file_id == evidence_file.id
    assert row.sha256 == evidence_file.sha256
    assert row.status == "ingested"


def test_missing_document_is_not_found(world: World) -> None:
    with pytest.raises(NotFound), transaction(world.factory) as session:
        queries.get_document(session, world.ctx(world.alice), "0190f3a0-0000-7000-8000-000000000000")


def test_status_poll_returns_case_documents_only(world: World) -> None:
    [document_id] = _upload(world, ("a.txt", b"x"))

    with transaction(world.factory) as session:
        rows = queries.document_statuses(
            session,
            world.ctx(world.alice),
            world.number,
            [document_id, "0190f3a0-0000-7000-8000-000000000000"],
        )

    assert [(row.id, row.status) for row in rows] == [(document_id, "queued")]

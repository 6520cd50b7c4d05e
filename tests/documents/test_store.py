"""store_document: the blob, the row, the ingestion job and the outbox event commit together."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from casetrail.core.errors import ValidationFailed
from casetrail.db.engine import transaction
from casetrail.db.outbox import OutboxEvent
from casetrail.documents.models import Document
from casetrail.documents.service import store_document
from casetrail.jobs.models import Job
from tests.documents.conftest import World


def test_store_creates_row_job_and_event(world: World) -> None:
    document = world.store_bytes(b"Call +44 20 7946 0958 about the ledger.\n")

    with transaction(world.factory) as session:
        row = session.get(Document, document.id)
        jobs = session.execute(select(Job).where(Job.kind == "documents.ingest")).scalars().all()
        events = (
            session.execute(select(OutboxEvent).where(OutboxEvent.object_type == "document")).scalars().all()
        )
    assert row is not None
    assert row.status == "queued"
    assert row.root_id == row.id
    assert row.depth == 0
    assert row.size == 40
    assert world.store.exists(row.sha256)
    assert [job.payload for job in jobs] == [{"document_id": document.id}]
    assert [(event.object_id, event.operation) for event in events] == [(document.id, "create")]


def test_store_child_inherits_case_and_root(world: World) -> None:
    parent = world.store_bytes(b"parent", "bundle.zip")

    with transaction(world.factory) as session:
        parent_row = session.get(Document, parent.id)
        assert parent_row is not None
        child = store_document(
            session,
            blobs=world.store,
            source=io.BytesIO(b"child"),
            file_name="inner/letter.txt",
            origin="child",
            uploaded_by="alice",
            parent=parent_row,
        )
    assert child.case_id == world.case.id
    assert child.root_id == parent.id
    assert child.depth == 1
    assert child.file_name == "inner/letter.txt"


def test_store_rejects_oversized_stream(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught, transaction(world.factory) as session:
        store_document(
            session,
            blobs=world.store,
            source=io.BytesIO(b"x" * 5000),
            file_name="big.bin",
            origin="upload",
            uploaded_by="alice",
            case_id=world.case.id,
            max_bytes=4096,
        )
    assert "4096 bytes" in caught.value.message
    with transaction(world.factory) as session:
        assert session.execute(select(Document.id)).first() is None


def test_store_needs_case_or_lead(world: World) -> None:
    with pytest.raises(ValidationFailed), transaction(world.factory) as session:
        store_document(
            session,
            blobs=world.store,
            source=io.BytesIO(b"x"),
            file_name="a.txt",
            origin="upload",
            uploaded_by="alice",
        )


def test_store_accepts_tip_attachment_without_case(world: World) -> None:
    lead_id = "0190f3a0-0000-7000-8000-000000000001"
    with transaction(world.factory) as session:
        document = store_document(
            session,
            blobs=world.store,
            source=io.BytesIO(b"photo bytes"),
            file_name="photo.jpg",
            origin="tip",
            uploaded_by="anonymous",
            lead_id=lead_id,
        )
    assert document.case_id is None
    assert document.lead_id == lead_id

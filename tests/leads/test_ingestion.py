"""Tip attachments go through the real ingestion pipeline, before and after the lead joins a case."""

from __future__ import annotations

from sqlalchemy import select

from casetrail.db.engine import transaction
from casetrail.documents import tasks
from casetrail.documents.models import Document, DocumentPage
from casetrail.jobs.worker import Worker
from casetrail.leads import conversion, service
from tests.leads.conftest import LeadWorld

NOTE = b"Delivery list: van KX 123 arrives at 22:00, driver phone +1 202 555 0188.\n"


def _drain(world: LeadWorld) -> None:
    Worker(
        settings=world.settings,
        sessions=world.factory,
        blobs=world.store,
        handlers=tasks.HANDLERS,
        periodic=tasks.PERIODIC,
        worker_id="lead-test-worker",
    ).run(once=True)


def _texts(world: LeadWorld, document_id: str) -> tuple[str, str]:
    with transaction(world.factory) as session:
        document = session.get(Document, document_id)
        assert document is not None
        pages = session.execute(
            select(DocumentPage.text).where(DocumentPage.document_id == document_id)
        ).scalars()
        return document.status, " ".join(pages)


def test_tip_attachment_is_ingested(world: LeadWorld) -> None:
    receipt = world.submit("A list was left on my doorstep.", files={"list.txt": NOTE})
    _drain(world)
    status, text = _texts(world, receipt.attachments[0].id)
    assert status == "ingested"
    assert "KX 123" in text


def test_case_copy_is_ingested(world: LeadWorld) -> None:
    receipt = world.submit("A list was left on my doorstep.", files={"list.txt": NOTE})
    _drain(world)
    with transaction(world.factory) as session:
        service.assign(session, world.ctx(world.clerk), receipt.lead.reference, username="rivera")
    with transaction(world.factory) as session:
        result = conversion.open_case_from_lead(
            session, world.ctx(world.rivera), world.settings, receipt.lead.reference
        )
        copy_id = result.documents[0].id
    _drain(world)
    status, text = _texts(world, copy_id)
    assert status == "ingested"
    assert "KX 123" in text


def test_case_copy_keeps_provenance(world: LeadWorld) -> None:
    receipt = world.submit("A list was left on my doorstep.", files={"list.txt": NOTE})
    with transaction(world.factory) as session:
        service.assign(session, world.ctx(world.clerk), receipt.lead.reference, username="rivera")
    with transaction(world.factory) as session:
        result = conversion.open_case_from_lead(
            session, world.ctx(world.rivera), world.settings, receipt.lead.reference
        )
        copy_id = result.documents[0].id
    _drain(world)
    with transaction(world.factory) as session:
        copy = session.get(Document, copy_id)
        assert copy is not None
        assert copy.status == "ingested"
        assert copy.meta["provenance"]["tip_document_id"] == receipt.attachments[0].id

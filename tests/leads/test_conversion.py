"""A lead becomes case content: entities with the lead as source, and its attachments as documents."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from casetrail.core.errors import Conflict, Hidden, PermissionDenied
from casetrail.db.engine import transaction
from casetrail.documents.models import Document
from casetrail.entities.models import CaseEntity, Statement
from casetrail.jobs.models import Job
from casetrail.leads import conversion, service
from casetrail.leads.fields import LeadContact
from casetrail.leads.models import Lead
from casetrail.leads.service import LeadUpdate
from tests.factories import make_case
from tests.leads.conftest import LeadWorld

TIP = "People come and go at night. The driver uses +1 202 555 0188 and the van has plate KX 123."


def _tip(world: LeadWorld) -> str:
    receipt = world.submit(
        TIP,
        files={"photo.txt": b"a photo"},
        contact=LeadContact(name="Jane Tipster", phone="+1 202 555 0199"),
        location="14 Elm Street",
        names=["John Smith"],
        plates=["kx 123"],
    )
    with transaction(world.factory) as session:
        service.assign(session, world.ctx(world.clerk), receipt.lead.reference, username="rivera")
    return receipt.lead.reference


def test_lead_becomes_case_with_facts(world: LeadWorld) -> None:
    reference = _tip(world)
    with transaction(world.factory) as session:
        result = conversion.open_case_from_lead(
            session, world.ctx(world.rivera), world.settings, reference, title="House on Elm Street"
        )
        case_id = result.case.id
    with transaction(world.factory) as session:
        schemata = sorted(
            session.execute(select(CaseEntity.schema).where(CaseEntity.case_id == case_id)).scalars()
        )
        statements = list(session.execute(select(Statement).where(Statement.case_id == case_id)).scalars())
        lead = session.execute(select(Lead).where(Lead.reference == reference)).scalar_one()
    assert schemata == ["Address", "Event", "Person", "Vehicle"]
    assert {stmt.source_type for stmt in statements} == {"lead"}
    assert {stmt.source_id for stmt in statements} == {lead.id}
    values = {(stmt.prop, stmt.value) for stmt in statements}
    assert ("phoneMentioned", "+12025550188") in values
    assert ("registrationNumber", "KX 123") in values
    assert lead.case_id == case_id
    assert lead.status == "actioned"


def test_tipster_contact_stays_on_lead(world: LeadWorld) -> None:
    reference = _tip(world)
    with transaction(world.factory) as session:
        result = conversion.open_case_from_lead(session, world.ctx(world.rivera), world.settings, reference)
        case_id = result.case.id
    with transaction(world.factory) as session:
        values = set(session.execute(select(Statement.value).where(Statement.case_id == case_id)).scalars())
    assert "+12025550199" not in values
    assert "Jane Tipster" not in values


def test_attachments_are_rehomed_into_case(world: LeadWorld) -> None:
    reference = _tip(world)
    with transaction(world.factory) as session:
        result = conversion.open_case_from_lead(session, world.ctx(world.rivera), world.settings, reference)
        case_id = result.case.id
    with transaction(world.factory) as session:
        copies = list(session.execute(select(Document).where(Document.case_id == case_id)).scalars())
        originals = list(
            session.execute(
                select(Document).where(Document.case_id.is_(None), Document.origin == "tip")
            ).scalars()
        )
        payloads = list(session.execute(select(Job.payload).where(Job.kind == "documents.ingest")).scalars())
    queued = {payload["document_id"] for payload in payloads}
    assert len(copies) == 1
    assert copies[0].sha256 == originals[0].sha256
    assert copies[0].origin == "tip"
    assert copies[0].meta["provenance"]["tip_document_id"] == originals[0].id
    assert copies[0].id in queued


def test_link_needs_write_access_to_case(world: LeadWorld) -> None:
    reference = _tip(world)
    other = make_case(world.factory, "okafor", title="Narcotics case", number="2026-0911")
    with transaction(world.factory) as session, pytest.raises(Hidden):
        conversion.link_case(
            session, world.ctx(world.rivera), world.settings, reference, case_number=other.number
        )


def test_link_to_existing_case(world: LeadWorld) -> None:
    reference = _tip(world)
    case = make_case(world.factory, "rivera", title="Elm Street", number="2026-0142")
    with transaction(world.factory) as session:
        result = conversion.link_case(
            session, world.ctx(world.rivera), world.settings, reference, case_number="2026-0142"
        )
    assert result.case.id == case.id
    assert len(result.entity_ids) == 4
    with transaction(world.factory) as session, pytest.raises(Conflict):
        conversion.link_case(
            session, world.ctx(world.rivera), world.settings, reference, case_number="2026-0142"
        )


def test_intake_cannot_open_case(world: LeadWorld) -> None:
    reference = _tip(world)
    with transaction(world.factory) as session, pytest.raises(PermissionDenied):
        conversion.open_case_from_lead(session, world.ctx(world.clerk), world.settings, reference)


def test_time_reaches_event(world: LeadWorld) -> None:
    reference = _tip(world)
    with transaction(world.factory) as session:
        lead = session.execute(select(Lead).where(Lead.reference == reference)).scalar_one()
        service.update_lead(
            session,
            world.ctx(world.rivera),
            world.settings,
            reference,
            LeadUpdate(occurred_at=datetime(2026, 3, 1, 22, 15, tzinfo=UTC)),
            expected_version=lead.version,
        )
    with transaction(world.factory) as session:
        result = conversion.open_case_from_lead(session, world.ctx(world.rivera), world.settings, reference)
        dates = list(
            session.execute(
                select(Statement.value).where(Statement.case_id == result.case.id, Statement.prop == "date")
            ).scalars()
        )
    assert dates == ["2026-03-01T22:15:00"]


def _case_statements(world: LeadWorld, reference: str) -> list[Statement]:
    with transaction(world.factory) as session:
        service.assign(session, world.ctx(world.clerk), reference, username="rivera")
    with transaction(world.factory) as session:
        result = conversion.open_case_from_lead(session, world.ctx(world.rivera), world.settings, reference)
        case_id = result.case.id
    with transaction(world.factory) as session:
        return list(session.execute(select(Statement).where(Statement.case_id == case_id)).scalars())


def test_named_business_becomes_company(world: LeadWorld) -> None:
    receipt = world.submit(
        "Cash changes hands behind the garage.",
        names=["John Smith", "Elm Street Motors Ltd", "Nachbarschaftshilfe Elm e.V."],
    )
    statements = _case_statements(world, receipt.lead.reference)
    schema_of = {stmt.value: stmt.schema for stmt in statements if stmt.prop == "name"}
    assert schema_of["John Smith"] == "Person"
    assert schema_of["Elm Street Motors Ltd"] == "Company"
    assert schema_of["Nachbarschaftshilfe Elm e.V."] == "Organization"
    involved = {stmt.value for stmt in statements if stmt.prop == "involved"}
    assert len(involved) == 3


def test_tipster_contact_in_text_is_not_mentioned(world: LeadWorld) -> None:
    receipt = world.submit(
        "The driver uses +1 202 555 0188 and mails van@example.org. "
        "Call me on +1 (202) 555-0199 or write to Jane@Example.org.",
        contact=LeadContact(phone="+1 202 555 0199", email="jane@example.org"),
    )
    statements = _case_statements(world, receipt.lead.reference)
    phones = {stmt.value for stmt in statements if stmt.prop == "phoneMentioned"}
    emails = {stmt.value for stmt in statements if stmt.prop == "emailMentioned"}
    summary = next(stmt.value for stmt in statements if stmt.prop == "summary")
    assert phones == {"+12025550188"}
    assert emails == {"van@example.org"}
    assert "555-0199" not in summary
    assert "Jane@Example.org" not in summary
    assert "Call me on [the source's contact phone]" in summary
    assert "write to [the source's contact e-mail]." in summary
    assert "+1 202 555 0188" in summary

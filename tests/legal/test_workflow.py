"""Review workflow: versions, submit, return with comments, approval by a supervisor only, filing."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from casetrail.audit.models import AuditRecord
from casetrail.core.errors import Hidden, InvalidTransition, PermissionDenied, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.documents.models import Document
from casetrail.legal import review, service
from casetrail.legal.models import LegalDocument
from tests.legal.conftest import SYNOPSIS, LegalWorld
from tests.legal.pdftext import pypdf_text


def _submit(world: LegalWorld, document_id: str) -> None:
    with transaction(world.factory) as session:
        review.submit(
            session,
            world.ctx(world.alice),
            world.number,
            document_id,
            expected_version=world.version(document_id),
        )


def test_edit_keeps_every_version(world: LegalWorld) -> None:
    document = world.create()
    with transaction(world.factory) as session:
        service.edit_document(
            session,
            world.ctx(world.carol),
            world.number,
            document.id,
            sections={"synopsis": "A revised synopsis.", "details": "d", "conclusion": "c"},
            expected_version=document.version,
        )
    with transaction(world.factory) as session:
        view = service.get_document(session, world.ctx(world.alice), world.number, document.id)
        numbers = [version.number for version in view.versions]
    assert numbers == [2, 1]
    assert SYNOPSIS in pypdf_text(world.pdf(document.id, version=1))
    assert "A revised synopsis." in pypdf_text(world.pdf(document.id, version=2))


def test_submit_requires_required_fields(world: LegalWorld) -> None:
    document = world.create(sections={"conclusion": ""})
    with transaction(world.factory) as session, pytest.raises(ValidationFailed) as raised:
        review.submit(
            session,
            world.ctx(world.alice),
            world.number,
            document.id,
            expected_version=world.version(document.id),
        )
    assert "Conclusion" in raised.value.message


def test_author_supervisor_cannot_approve_own(world: LegalWorld) -> None:
    document = world.create(user=world.sam)
    with transaction(world.factory) as session:
        review.submit(
            session,
            world.ctx(world.sam),
            world.number,
            document.id,
            expected_version=world.version(document.id),
        )
    with transaction(world.factory) as session, pytest.raises(PermissionDenied) as raised:
        review.approve(
            session,
            world.ctx(world.sam),
            world.store,
            world.number,
            document.id,
            expected_version=world.version(document.id),
        )
    assert "another supervisor" in raised.value.message


def test_investigator_cannot_approve(world: LegalWorld) -> None:
    document = world.create(user=world.carol)
    _submit(world, document.id)
    with transaction(world.factory) as session, pytest.raises(PermissionDenied) as raised:
        review.approve(
            session,
            world.ctx(world.alice),
            world.store,
            world.number,
            document.id,
            expected_version=world.version(document.id),
        )
    assert "only a supervisor" in raised.value.message


def test_other_unit_supervisor_sees_nothing(world: LegalWorld) -> None:
    document = world.create()
    _submit(world, document.id)
    with transaction(world.factory) as session, pytest.raises(Hidden):
        review.approve(
            session,
            world.ctx(world.bob),
            world.store,
            world.number,
            document.id,
            expected_version=world.version(document.id),
        )


def test_return_needs_comment_then_resubmit(world: LegalWorld) -> None:
    document = world.create()
    _submit(world, document.id)
    with transaction(world.factory) as session, pytest.raises(ValidationFailed):
        review.return_document(
            session,
            world.ctx(world.sam),
            world.number,
            document.id,
            expected_version=world.version(document.id),
            comment=" ",
        )
    with transaction(world.factory) as session:
        review.return_document(
            session,
            world.ctx(world.sam),
            world.number,
            document.id,
            expected_version=world.version(document.id),
            comment="Cite the register.",
        )
    with transaction(world.factory) as session:
        view = service.get_document(session, world.ctx(world.alice), world.number, document.id)
        comments = [event.comment for event in view.events if event.action == "return"]
        status = view.document.status
    assert status == "returned"
    assert comments == ["Cite the register."]
    _submit(world, document.id)


def test_approval_issues_and_stores_pdf(world: LegalWorld) -> None:
    document = world.approved()
    pdf = world.pdf(document.id)
    with transaction(world.factory) as session:
        view = service.get_document(session, world.ctx(world.alice), world.number, document.id)
        latest = view.latest
        stored = session.get(Document, view.document.case_document_id)
        assert stored is not None
        stored_origin, stored_sha = stored.origin, stored.sha256
    assert view.document.status == "approved"
    assert latest.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert stored_origin == "issued"
    assert stored_sha == latest.pdf_sha256
    assert "Approved by sam" in pypdf_text(pdf)


def test_approved_document_is_immutable(world: LegalWorld) -> None:
    document = world.approved()
    with transaction(world.factory) as session, pytest.raises(InvalidTransition):
        service.edit_document(
            session,
            world.ctx(world.alice),
            world.number,
            document.id,
            sections={"synopsis": "x"},
            expected_version=world.version(document.id),
        )


def test_filing_by_lead_records_reference(world: LegalWorld) -> None:
    document = world.approved()
    with transaction(world.factory) as session, pytest.raises(PermissionDenied):
        review.file_document(
            session,
            world.ctx(world.carol),
            world.number,
            document.id,
            expected_version=world.version(document.id),
            reference="Court 4",
        )
    with transaction(world.factory) as session:
        review.file_document(
            session,
            world.ctx(world.alice),
            world.number,
            document.id,
            expected_version=world.version(document.id),
            reference="District court 4/2026",
        )
    with transaction(world.factory) as session:
        filed = session.get(LegalDocument, document.id)
        assert filed is not None
        status, reference = filed.status, filed.filed_reference
    assert status == "filed"
    assert reference == "District court 4/2026"


def test_workflow_steps_are_audited(world: LegalWorld) -> None:
    document = world.approved()
    with transaction(world.factory) as session:
        actions = list(
            session.execute(
                select(AuditRecord.action)
                .where(AuditRecord.object_id == document.id)
                .order_by(AuditRecord.seq)
            ).scalars()
        )
    assert actions[:3] == ["legal.create", "legal.submit", "legal.approve"]


def test_stale_version_is_rejected(world: LegalWorld) -> None:
    from casetrail.core.errors import VersionConflict  # noqa: PLC0415

    document = world.create()
    _submit(world, document.id)
    with transaction(world.factory) as session, pytest.raises(VersionConflict):
        review.approve(
            session,
            world.ctx(world.sam),
            world.store,
            world.number,
            document.id,
            expected_version=document.version,
        )

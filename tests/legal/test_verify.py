"""`verify_pdf`: an issued PDF is recognised; a changed one is named as the version it claims to be."""

from __future__ import annotations

import hashlib

from casetrail.auth.policy import CasePermission
from casetrail.db.engine import transaction
from casetrail.legal.service import get_version, open_document, render_version
from casetrail.legal.verify import Verdict, verify_pdf
from tests.legal.conftest import LegalWorld


def test_issued_pdf_is_recognised(world: LegalWorld) -> None:
    document = world.approved()
    pdf = world.pdf(document.id)
    with transaction(world.factory) as session:
        result = verify_pdf(session, world.ctx(world.alice), pdf)
    assert result.verdict == Verdict.ISSUED
    assert result.document_id == document.id
    assert result.version == 1


def test_changed_pdf_names_claimed_version(world: LegalWorld) -> None:
    document = world.approved()
    pdf = world.pdf(document.id)
    changed = pdf.replace(b"/Title", b"/Titel", 1)
    with transaction(world.factory) as session:
        result = verify_pdf(session, world.ctx(world.alice), changed)
    assert result.verdict == Verdict.CHANGED
    assert result.document_id == document.id
    assert f"claims to be document {document.id} version 1" in result.describe()


def test_draft_rendering_is_not_issued(world: LegalWorld) -> None:
    document = world.create()
    draft = world.pdf(document.id)
    with transaction(world.factory) as session:
        result = verify_pdf(session, world.ctx(world.alice), draft)
    assert result.verdict == Verdict.CHANGED
    assert "never issued" in result.describe()


def test_unrelated_file_is_unknown(world: LegalWorld) -> None:
    with transaction(world.factory) as session:
        result = verify_pdf(session, world.ctx(world.alice), b"%PDF-1.7 not really")
    assert result.verdict == Verdict.UNKNOWN


def test_issued_pdf_renders_again_identically(world: LegalWorld) -> None:
    document = world.approved()
    stored = world.pdf(document.id)
    with transaction(world.factory) as session:
        opened = open_document(
            session,
            world.ctx(world.alice),
            world.number,
            document.id,
            CasePermission.READ,
            attempted="legal.read",
        )
        again = render_version(session, opened, get_version(session, opened.document))
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(stored).hexdigest()

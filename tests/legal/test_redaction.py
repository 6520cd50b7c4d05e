"""Redacted copies: the removed names and passages are in no byte, stream or text layer of the copy."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from casetrail.core.errors import InvalidTransition
from casetrail.db.engine import transaction
from casetrail.legal import redaction, service
from casetrail.legal.models import LegalDocumentVersion
from tests.legal.conftest import SYNOPSIS, ZAKHAROV, ZAKHAROV_INN, ZAKHAROV_NAME, LegalWorld
from tests.legal.pdftext import decompressed_streams, pdfium_text, pypdf_text

PASSAGE = "share register"


def _redact(world: LegalWorld, document_id: str) -> str:
    with transaction(world.factory) as session:
        copy = redaction.redact_document(
            session,
            world.ctx(world.alice),
            world.store,
            world.number,
            document_id,
            entity_ids=[ZAKHAROV],
            passages=[PASSAGE],
        )
        return copy.id


@pytest.fixture
def redacted(world: LegalWorld) -> tuple[bytes, bytes, str, str]:
    original = world.approved()
    copy_id = _redact(world, original.id)
    return world.pdf(original.id), world.pdf(copy_id), original.id, copy_id


def test_original_contains_the_names(redacted: tuple[bytes, bytes, str, str]) -> None:
    original = redacted[0]
    assert ZAKHAROV_NAME in pypdf_text(original)
    assert ZAKHAROV_INN in pdfium_text(original)


@pytest.mark.parametrize("secret", [ZAKHAROV_NAME, "Zakharov", ZAKHAROV_INN, "1965-09-21", "Share register"])
def test_text_layers_lack_removed_text(redacted: tuple[bytes, bytes, str, str], secret: str) -> None:
    copy = redacted[1]
    assert secret.lower() not in pypdf_text(copy).lower()
    assert secret.lower() not in pdfium_text(copy).lower()


@pytest.mark.parametrize("secret", [ZAKHAROV_NAME, "Zakharov", ZAKHAROV_INN, "Share register"])
def test_bytes_and_streams_lack_removed_text(redacted: tuple[bytes, bytes, str, str], secret: str) -> None:
    copy = redacted[1]
    for encoding in ("utf-8", "utf-16-be"):
        needle = secret.encode(encoding)
        assert needle not in copy
        assert needle not in decompressed_streams(copy)


def test_copy_keeps_other_text(redacted: tuple[bytes, bytes, str, str]) -> None:
    text = pypdf_text(redacted[1])
    assert "The holding structure of LLC CST was traced through the" in text
    assert "redacted copy of" in pdfium_text(redacted[1])


def test_copy_is_linked_and_original_kept(world: LegalWorld, redacted: tuple[bytes, bytes, str, str]) -> None:
    _, _, original_id, copy_id = redacted
    with transaction(world.factory) as session:
        view = service.get_document(session, world.ctx(world.alice), world.number, original_id)
        copies = [copy.id for copy in view.copies]
        copy = service.get_document(session, world.ctx(world.alice), world.number, copy_id).document
        linked = (copy.redacted_from_id, copy.redacted_from_version, copy.status)
    assert copies == [copy_id]
    assert linked == (original_id, 1, "redacted")
    assert SYNOPSIS.split(" share")[0] in pypdf_text(world.pdf(original_id))


def test_draft_cannot_be_redacted(world: LegalWorld) -> None:
    document = world.create()
    with transaction(world.factory) as session, pytest.raises(InvalidTransition):
        redaction.redact_document(
            session,
            world.ctx(world.alice),
            world.store,
            world.number,
            document.id,
            entity_ids=[ZAKHAROV],
            passages=[],
        )


def _inputs(world: LegalWorld, document_id: str) -> dict[str, Any]:
    with transaction(world.factory) as session:
        query = select(LegalDocumentVersion.inputs).where(LegalDocumentVersion.document_id == document_id)
        return dict(session.execute(query).scalar_one())


def _subject_rows(inputs: dict[str, Any], schema: str) -> dict[str, str]:
    subjects = [subject for subject in inputs["fields"]["subjects"] if subject["schema"] == schema]
    assert len(subjects) == 1
    return {row["label"]: row["value"] for row in subjects[0]["properties"]}


def test_birthplace_removed_only_from_subject(world: LegalWorld) -> None:
    details = "The drones were flown to Russia on 1965-09-21 and stored in Izhevsk. Zakharov signed."
    original = world.approved(sections={"details": details})
    copy_id = _redact(world, original.id)
    inputs = _inputs(world, copy_id)
    rows = _subject_rows(inputs, "Person")
    mark = redaction.REDACTION_MARK
    assert rows["Place of birth"] == mark
    assert rows["Birth date"] == mark
    assert rows["Address"] == mark
    assert "Russia" in inputs["fields"]["details"]
    assert "1965-09-21" in inputs["fields"]["details"]
    assert "Izhevsk" in inputs["fields"]["details"]
    assert "Zakharov" not in inputs["fields"]["details"]
    text = pypdf_text(world.pdf(copy_id))
    assert "flown to Russia" in text
    assert "Pushkinskaya" not in text

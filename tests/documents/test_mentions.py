"""Mentions from a real PDF: accepted into entities with the document as source, or dismissed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casetrail.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.documents import mentions
from casetrail.documents.models import DocumentMention
from casetrail.entities.models import Statement
from casetrail.entities.service import create_entity
from casetrail.entities.statements import Source, SourceType
from tests.documents.conftest import World, run_worker, store_file


def _ingested_pdf(world: World) -> str:
    document = store_file(world, "pdf/testPDF.pdf")
    run_worker(world)
    return document.id


def _mention(world: World, document_id: str, kind: str) -> DocumentMention:
    with transaction(world.factory) as session:
        listed = mentions.list_mentions(session, world.ctx(world.alice), document_id, kind=kind)
    return listed[0]


def test_accept_url_creates_entity_with_source(world: World) -> None:
    document_id = _ingested_pdf(world)
    mention = _mention(world, document_id, "url")

    with transaction(world.factory) as session:
        decision = mentions.accept_mention(session, world.ctx(world.carol), document_id, mention.id)
    with transaction(world.factory) as session:
        statements = (
            session.execute(select(Statement).where(Statement.entity_id == decision.mention.entity_id))
            .scalars()
            .all()
        )

    assert decision.mention.status == "accepted"
    assert decision.mention.prop == "website"
    assert decision.mention.page_no == 1
    assert decision.entity is not None
    assert decision.entity.proxy.schema.name == "LegalEntity"
    assert {(s.prop, s.value) for s in statements} >= {("website", mention.normalized)}
    assert {(s.source_type, s.source_id) for s in statements} == {("document", document_id)}


def test_accept_date_onto_existing_entity(world: World) -> None:
    document_id = _ingested_pdf(world)
    with transaction(world.factory) as session:
        event = create_entity(
            session,
            world.ctx(world.alice),
            world.number,
            schema="Event",
            properties={"name": ["Release of Tika"]},
            source=Source(SourceType.MANUAL),
        )
    mention = _mention(world, document_id, "date")

    with transaction(world.factory) as session:
        decision = mentions.accept_mention(
            session, world.ctx(world.alice), document_id, mention.id, entity_id=event.proxy.id
        )

    assert decision.entity is not None
    assert mention.normalized in decision.entity.proxy.get("date")


def test_dismiss_then_accept_is_rejected(world: World) -> None:
    document_id = _ingested_pdf(world)
    mention = _mention(world, document_id, "date")

    with transaction(world.factory) as session:
        mentions.dismiss_mention(session, world.ctx(world.alice), document_id, mention.id)
    with pytest.raises(InvalidTransition), transaction(world.factory) as session:
        mentions.accept_mention(session, world.ctx(world.alice), document_id, mention.id)

    assert _mention(world, document_id, "date").status in {"dismissed", "suggested"}


def test_viewer_cannot_accept(world: World) -> None:
    document_id = _ingested_pdf(world)
    mention = _mention(world, document_id, "url")

    with pytest.raises(PermissionDenied), transaction(world.factory) as session:
        mentions.accept_mention(session, world.ctx(world.dave), document_id, mention.id)


def test_accept_rejects_empty_entity_id(world: World) -> None:
    document_id = _ingested_pdf(world)
    mention = _mention(world, document_id, "url")

    with pytest.raises(ValidationFailed) as raised, transaction(world.factory) as session:
        mentions.accept_mention(session, world.ctx(world.alice), document_id, mention.id, entity_id=" ")

    assert raised.value.errors == {"entity_id": "choose an entity"}
    assert _mention(world, document_id, "url").status == "suggested"

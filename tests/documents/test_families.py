"""Document families: the case list in family order with paging, lineage and copies."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from casetrail.core.errors import NotFound
from casetrail.db.engine import transaction
from casetrail.documents import families
from casetrail.documents.models import Document
from casetrail.documents.service import store_document
from tests.documents.conftest import World


def _upload(world: World, name: str, data: bytes, month: int) -> Document:
    document = world.store_bytes(data, name)
    with transaction(world.factory) as session:
        stored = session.get_one(Document, document.id)
        stored.created_at = datetime(2026, month, 1, tzinfo=UTC)
        return stored


def _child(world: World, parent: Document, name: str, data: bytes) -> Document:
    with transaction(world.factory) as session:
        return store_document(
            session,
            blobs=world.store,
            source=io.BytesIO(data),
            file_name=name,
            origin="child",
            uploaded_by=world.alice.username,
            parent=parent,
            ingest=False,
        )


def _names(world: World, *, limit: int, offset: int) -> list[str]:
    with transaction(world.factory) as session:
        listed = families.list_document_families(
            session, world.ctx(world.alice), world.number, limit=limit, offset=offset
        )
        return [row.document.file_name for row in listed.rows]


def test_families_page_in_family_order(world: World) -> None:
    _upload(world, "old.txt", b"old", 1)
    bundle = _upload(world, "bundle.zip", b"zip", 2)
    _child(world, bundle, "member.txt", b"member")

    first = _names(world, limit=2, offset=0)
    second = _names(world, limit=2, offset=2)

    assert first == ["bundle.zip", "member.txt"]
    assert second == ["old.txt"]


def test_family_rows_name_parent_and_root(world: World) -> None:
    bundle = _upload(world, "bundle.zip", b"zip", 2)
    mail = _child(world, bundle, "mail.eml", b"mail")
    _child(world, mail, "photo.jpg", b"photo")

    with transaction(world.factory) as session:
        rows = families.list_document_families(session, world.ctx(world.alice), world.number).rows
    by_name = {row.document.file_name: row for row in rows}

    assert by_name["bundle.zip"].parent is None
    assert by_name["bundle.zip"].root is None
    assert by_name["mail.eml"].parent is not None
    assert by_name["mail.eml"].parent.id == bundle.id
    assert by_name["mail.eml"].root is None
    assert by_name["photo.jpg"].root is not None
    assert by_name["photo.jpg"].root.id == bundle.id


def test_lineage_lists_ancestors_and_copies(world: World) -> None:
    alone = _upload(world, "report.pdf", b"same bytes", 1)
    bundle = _upload(world, "bundle.zip", b"zip", 2)
    member = _child(world, bundle, "report.pdf", b"same bytes")

    with transaction(world.factory) as session:
        lineage = families.get_lineage(session, world.ctx(world.carol), member.id)

    assert [ancestor.id for ancestor in lineage.ancestors] == [bundle.id]
    assert [copy.document.id for copy in lineage.copies] == [alone.id]
    assert lineage.copies[0].parent is None


def test_lineage_hidden_from_outsider(world: World) -> None:
    alone = _upload(world, "report.pdf", b"same bytes", 1)

    with pytest.raises(NotFound), transaction(world.factory) as session:
        families.get_lineage(session, world.ctx(world.bob), alone.id)

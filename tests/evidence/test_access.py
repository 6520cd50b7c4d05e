"""Need-to-know on evidence: a user who may not see the case finds no item, file or download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from casetrail.auth.policy import CasePermission
from casetrail.core.errors import Hidden, NotFound
from casetrail.db.engine import transaction
from casetrail.evidence import custody, files, integrity, items, reports
from casetrail.evidence.access import open_item_by_id
from tests.evidence.conftest import World

Call = Callable[[Session, World, str, str], Any]

HIDDEN_CALLS: dict[str, Call] = {
    "get_item": lambda session, world, item, _file: items.get_item(
        session, world.ctx(world.bob), world.number, item
    ),
    "list_items": lambda session, world, _item, _file: items.list_items(
        session, world.ctx(world.bob), world.number
    ),
    "list_files": lambda session, world, item, _file: files.list_files(
        session, world.ctx(world.bob), world.number, item
    ),
    "download": lambda session, world, item, file_id: files.open_download(
        session, world.ctx(world.bob), world.store, world.number, item, file_id=file_id
    ),
    "custody_log": lambda session, world, item, _file: custody.custody_log(
        session, world.ctx(world.bob), world.number, item
    ),
    "verify_custody": lambda session, world, item, _file: custody.verify_custody(
        session, world.ctx(world.bob), world.number, item
    ),
    "verify_files": lambda session, world, _item, _file: integrity.verify_blobs(
        session, world.ctx(world.bob), world.store, world.number
    ),
    "report": lambda session, world, _item, _file: reports.custody_report(
        session, world.ctx(world.bob), world.settings, world.number
    ),
    "label": lambda session, world, item, _file: reports.item_label(
        session, world.ctx(world.bob), world.number, item
    ),
}


@pytest.mark.parametrize("name", sorted(HIDDEN_CALLS))
def test_outsider_gets_not_found(world: World, name: str) -> None:
    item = world.new_item()
    stored = world.upload(item.item.number, b"restricted content")
    with transaction(world.factory) as session, pytest.raises(Hidden) as raised:
        HIDDEN_CALLS[name](session, world, item.item.number, stored.id)
    assert raised.value.message == f"case {world.number} not found"
    assert raised.value.object_type == "case"
    assert raised.value.object_id == world.case.id


def test_hidden_looks_like_missing_case(world: World) -> None:
    with transaction(world.factory) as session, pytest.raises(NotFound) as raised:
        items.list_items(session, world.ctx(world.bob), "2099-9999")
    assert raised.value.message == "case 2099-9999 not found"


def test_label_scan_by_id_hidden(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session, pytest.raises(Hidden) as raised:
        open_item_by_id(session, world.ctx(world.bob), item.item.id, CasePermission.READ, "evidence.read")
    assert raised.value.message == f"evidence item {item.item.id} not found"
    assert world.number not in raised.value.message
    with transaction(world.factory) as session:
        access = open_item_by_id(
            session, world.ctx(world.carol), item.item.id, CasePermission.READ, "evidence.read"
        )
    assert access.item.number == item.item.number


def test_outsider_cannot_upload(world: World) -> None:
    item = world.new_item()
    with pytest.raises(Hidden):
        world.upload(item.item.number, b"planted", user=world.bob)


def test_member_lists_items(world: World) -> None:
    world.new_item()
    world.new_item(description="Notebook", category="document")
    with transaction(world.factory) as session:
        listed = items.list_items(session, world.ctx(world.dave), world.number)
    assert [view.item.number for view in listed] == ["E-0001", "E-0002"]

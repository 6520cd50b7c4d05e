"""Custody events cannot be edited or deleted: no service does it and the database rejects it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from casetrail.db.engine import transaction
from casetrail.evidence import custody, events
from casetrail.evidence.models import CustodyEvent
from tests.evidence.conftest import World


def test_services_offer_no_edit_or_delete() -> None:
    public = {name for module in (custody, events) for name in dir(module) if not name.startswith("_")}
    forbidden = {name for name in public if name.startswith(("update_", "delete_", "edit_", "remove_"))}
    assert forbidden == set()


def test_orm_update_rejected(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session:
        event = session.execute(select(CustodyEvent).where(CustodyEvent.item_id == item.item.id)).scalar_one()
        event.notes = "rewritten"
        with pytest.raises(DBAPIError, match="append-only"):
            session.flush()
        session.rollback()


def test_orm_delete_rejected(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session:
        event = session.execute(select(CustodyEvent).where(CustodyEvent.item_id == item.item.id)).scalar_one()
        session.delete(event)
        with pytest.raises(DBAPIError, match="append-only"):
            session.flush()
        session.rollback()


def test_raw_sql_update_rejected(world: World) -> None:
    item = world.new_item()
    with pytest.raises(DBAPIError, match="append-only"), transaction(world.factory) as session:
        session.execute(
            text("UPDATE custody_event SET seal_number = 'FORGED' WHERE item_id = :item"),
            {"item": item.item.id},
        )


def test_raw_sql_delete_rejected(world: World) -> None:
    item = world.new_item()
    with pytest.raises(DBAPIError, match="append-only"), transaction(world.factory) as session:
        session.execute(text("DELETE FROM custody_event WHERE item_id = :item"), {"item": item.item.id})


def test_rejected_change_leaves_event(world: World) -> None:
    item = world.new_item()
    with pytest.raises(DBAPIError), transaction(world.factory) as session:
        session.execute(text("DELETE FROM custody_event WHERE item_id = :item"), {"item": item.item.id})
    with transaction(world.factory) as session:
        remaining = session.execute(
            select(CustodyEvent.seal_number).where(CustodyEvent.item_id == item.item.id)
        ).scalars()
        assert list(remaining) == ["S-1001"]

"""Evidence items: numbering, validation, status workflow, versions, entities, frozen cases."""

from __future__ import annotations

from datetime import datetime

import pytest

from casetrail.auth.context import operator_context
from casetrail.cases import service as case_service
from casetrail.core.errors import (
    Conflict,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
    VersionConflict,
)
from casetrail.db.engine import transaction
from casetrail.entities import service as entity_service
from casetrail.entities.statements import Source, SourceType
from casetrail.evidence import custody, items
from casetrail.evidence.events import Handover
from casetrail.evidence.items import ItemView
from casetrail.evidence.workflow import TRANSITIONS, ItemStatus
from tests.evidence.conftest import World


def _person(world: World, name: str = "Viktor Petrov") -> str:
    with transaction(world.factory) as session:
        view = entity_service.create_entity(
            session,
            world.ctx(world.alice),
            world.number,
            schema="Person",
            properties={"name": [name]},
            source=Source(SourceType.MANUAL),
        )
    entity_id: str = view.proxy.id
    return entity_id


def _change_status(
    world: World, item: ItemView, to_status: str, reason: str = "court order 14/2026"
) -> ItemView:
    with transaction(world.factory) as session:
        return items.change_status(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            to_status=to_status,
            reason=reason,
            expected_version=item.item.version,
        )


def test_items_numbered_in_sequence(world: World) -> None:
    first = world.new_item()
    second = world.new_item(description="Notebook, blue cover", category="document")
    assert first.item.number == "E-0001"
    assert second.item.number == "E-0002"


def test_given_number_kept_and_unique(world: World) -> None:
    chosen = world.new_item(number="SW14-3")
    assert chosen.item.number == "SW14-3"
    with pytest.raises(Conflict, match="already used"):
        world.new_item(number="SW14-3")


def test_invalid_fields_rejected(world: World) -> None:
    with pytest.raises(ValidationFailed) as raised:
        world.new_item(description=" ", category="vehicle", obtained_at=datetime(2026, 3, 14, 6, 30))  # noqa: DTZ001 (a naive time is the invalid input)
    assert set(raised.value.errors) == {"description", "category", "obtained_at"}


def test_obtained_from_entity_must_be_in_case(world: World) -> None:
    with pytest.raises(ValidationFailed, match="not in case"):
        world.new_item(obtained_from_entity_id="no-such-entity")
    owner = _person(world)
    item = world.new_item(obtained_from_entity_id=owner)
    assert item.item.obtained_from_entity_id == owner


def test_entity_links(world: World) -> None:
    owner = _person(world)
    item = world.new_item()
    with transaction(world.factory) as session:
        items.link_entity(session, world.ctx(world.alice), world.number, item.item.number, owner)
    with transaction(world.factory) as session:
        assert items.get_item(session, world.ctx(world.alice), world.number, item.item.number).entity_ids == [
            owner
        ]
    with transaction(world.factory) as session, pytest.raises(Conflict, match="already linked"):
        items.link_entity(session, world.ctx(world.alice), world.number, item.item.number, owner)
    with transaction(world.factory) as session:
        items.unlink_entity(session, world.ctx(world.alice), world.number, item.item.number, owner)
    with transaction(world.factory) as session:
        assert (
            items.get_item(session, world.ctx(world.alice), world.number, item.item.number).entity_ids == []
        )


def test_viewer_cannot_register(world: World) -> None:
    with pytest.raises(PermissionDenied):
        world.new_item(user=world.dave)


def test_update_needs_current_version(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session:
        updated = items.update_item(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            expected_version=item.item.version,
            changes={"description": "Black smartphone, IMEI 35-209900-176148-1"},
        )
    assert updated.item.description.endswith("176148-1")
    with transaction(world.factory) as session, pytest.raises(VersionConflict):
        items.update_item(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            expected_version=item.item.version,
            changes={"description": "stale edit"},
        )


def test_seal_not_editable_as_field(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session, pytest.raises(ValidationFailed, match="unknown fields"):
        items.update_item(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            expected_version=item.item.version,
            changes={"seal_number": "S-9"},
        )


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["in_lab", "in_custody"], True),
        (["checked_out", "in_court", "returned"], True),
        (["in_court", "destroyed"], True),
        (["released", "in_custody"], True),
        (["released", "destroyed"], False),
        (["checked_out", "released"], False),
        (["destroyed", "in_custody"], False),
        (["returned", "checked_out"], False),
        (["in_custody"], False),
    ],
)
def test_status_transitions(world: World, path: list[str], allowed: bool) -> None:
    item = world.new_item()
    for status in path[:-1]:
        item = _change_status(world, item, status)
    if allowed:
        item = _change_status(world, item, path[-1])
        assert item.item.status == path[-1]
    else:
        with pytest.raises(InvalidTransition, match=f"cannot move from {item.item.status} to {path[-1]}"):
            _change_status(world, item, path[-1])


def test_final_statuses_have_no_exit() -> None:
    assert TRANSITIONS[ItemStatus.DESTROYED] == frozenset()
    assert TRANSITIONS[ItemStatus.RETURNED] == frozenset()


def test_status_change_records_who_and_why(world: World) -> None:
    item = world.new_item()
    _change_status(world, item, "in_lab", reason="sent for extraction, lab request 77")
    with transaction(world.factory) as session:
        event = custody.custody_log(session, operator_context(), world.number, item.item.number)[-1]
    assert event.event_type == "status_change"
    assert event.recorded_by == "alice"
    assert event.recorded_by_id == world.alice.id
    assert event.notes == "sent for extraction, lab request 77"
    assert event.details == {"from": "in_custody", "to": "in_lab"}


def test_status_change_needs_reason(world: World) -> None:
    item = world.new_item()
    with pytest.raises(ValidationFailed, match="reason"):
        _change_status(world, item, "in_lab", reason="  ")


def test_status_change_only_by_custodian(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session, pytest.raises(PermissionDenied, match="current custodian"):
        items.change_status(
            session,
            world.ctx(world.carol),
            world.number,
            item.item.number,
            to_status="in_lab",
            reason="not mine to move",
            expected_version=item.item.version,
        )


def test_no_status_change_in_transit(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session:
        item = custody.release(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            receiver="carol",
            purpose="lab_analysis",
            handover=Handover(),
        )
    with pytest.raises(InvalidTransition, match="in transit"):
        _change_status(world, item, "in_lab")


def test_destroyed_item_takes_no_handover(world: World) -> None:
    item = world.new_item()
    _change_status(world, item, "destroyed", reason="destruction order 3/2026")
    with transaction(world.factory) as session, pytest.raises(InvalidTransition, match="custody has ended"):
        custody.release(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            receiver="carol",
            purpose="other",
            handover=Handover(),
        )


def test_closed_case_keeps_custody_open(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session:
        case = case_service.get_case(session, operator_context(), world.number).case
        case_service.change_status(
            session,
            operator_context(),
            world.number,
            to_status="closed",
            reason="trial over",
            expected_version=case.version,
        )
    with pytest.raises(Conflict, match="read-only"):
        world.new_item()
    returned = _change_status(world, item, "returned", reason="returned to owner after trial")
    assert returned.item.status == "returned"

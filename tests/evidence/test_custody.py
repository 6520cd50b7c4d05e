"""Chain of custody: two-step handovers, locations, corrections and the per-item hash chain."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.auth.context import operator_context
from casetrail.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.evidence import custody
from casetrail.evidence.events import Handover
from casetrail.evidence.items import ItemView
from casetrail.evidence.models import CustodyEvent
from tests.evidence.conftest import World
from tests.factories import make_user

HANDED_OVER = Handover(
    occurred_at=datetime(2026, 3, 14, 9, 0, tzinfo=UTC),
    location="Evidence office, HQ",
    condition="seal intact",
)


def _release(world: World, item: ItemView, receiver: str = "carol") -> ItemView:
    with transaction(world.factory) as session:
        return custody.release(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            receiver=receiver,
            purpose="storage",
            handover=HANDED_OVER,
        )


def _events(world: World, item_number: str) -> list[CustodyEvent]:
    with transaction(world.factory) as session:
        return custody.custody_log(session, operator_context(), world.number, item_number)


def test_intake_makes_registrar_custodian(world: World) -> None:
    item = world.new_item()
    events = _events(world, item.item.number)
    assert item.custodian.user_id == world.alice.id
    assert not item.in_transit
    assert [event.event_type for event in events] == ["intake"]
    assert events[0].to_user_id == world.alice.id
    assert events[0].seal_number == "S-1001"


def test_release_shows_item_in_transit(world: World) -> None:
    item = world.new_item()
    released = _release(world, item)
    assert released.in_transit
    assert released.custodian.user_id == world.alice.id
    assert released.pending_receiver is not None
    assert released.pending_receiver.user_id == world.carol.id
    event = _events(world, item.item.number)[-1]
    assert event.event_type == "release"
    assert event.from_user_id == world.alice.id
    assert event.to_user_id == world.carol.id
    assert event.purpose == "storage"
    assert event.condition == "seal intact"


def test_wrong_user_cannot_accept(world: World) -> None:
    item = world.new_item()
    _release(world, item)
    with transaction(world.factory) as session, pytest.raises(PermissionDenied, match="only the person"):
        custody.accept(session, world.ctx(world.dave), world.number, item.item.number, handover=Handover())
    with transaction(world.factory) as session, pytest.raises(PermissionDenied, match="only the person"):
        custody.accept(session, world.ctx(world.alice), world.number, item.item.number, handover=Handover())


def test_receiver_accepts_and_becomes_custodian(world: World) -> None:
    item = world.new_item()
    _release(world, item)
    with transaction(world.factory) as session:
        accepted = custody.accept(
            session,
            world.ctx(world.carol),
            world.number,
            item.item.number,
            handover=Handover(condition="seal intact, bag undamaged"),
        )
    assert accepted.custodian.user_id == world.carol.id
    assert not accepted.in_transit
    event = _events(world, item.item.number)[-1]
    assert event.event_type == "accept"
    assert event.from_user_id == world.alice.id
    assert event.to_user_id == world.carol.id
    assert event.recorded_by_id == world.carol.id


def test_releaser_cancels_pending_release(world: World) -> None:
    item = world.new_item()
    _release(world, item)
    with transaction(world.factory) as session:
        cancelled = custody.cancel_release(
            session, world.ctx(world.alice), world.number, item.item.number, reason="wrong receiver"
        )
    assert not cancelled.in_transit
    assert cancelled.custodian.user_id == world.alice.id
    assert [event.event_type for event in _events(world, item.item.number)] == [
        "intake",
        "release",
        "cancel_release",
    ]
    with transaction(world.factory) as session, pytest.raises(InvalidTransition, match="not in transit"):
        custody.accept(session, world.ctx(world.carol), world.number, item.item.number, handover=Handover())


def test_only_releaser_cancels(world: World) -> None:
    item = world.new_item()
    _release(world, item)
    with transaction(world.factory) as session, pytest.raises(PermissionDenied, match="who released"):
        custody.cancel_release(session, world.ctx(world.carol), world.number, item.item.number, reason="no")


def test_only_custodian_releases(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session, pytest.raises(PermissionDenied, match="current custodian"):
        custody.release(
            session,
            world.ctx(world.carol),
            world.number,
            item.item.number,
            receiver="carol",
            purpose="storage",
            handover=Handover(),
        )


def test_second_release_while_in_transit_rejected(world: World) -> None:
    item = world.new_item()
    _release(world, item)
    with pytest.raises(InvalidTransition, match="already in transit"):
        _release(world, item, receiver="dave")


def test_receiver_without_case_access_rejected(world: World) -> None:
    item = world.new_item()
    with pytest.raises(ValidationFailed, match="no access to the case"):
        _release(world, item, receiver="bob")


def test_unknown_receiver_rejected(world: World) -> None:
    item = world.new_item()
    with pytest.raises(ValidationFailed, match="not found"):
        _release(world, item, receiver="nobody")


def test_location_transfer_is_one_step(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session:
        stored = custody.transfer_to_location(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            location="Evidence room B, locker 14",
            purpose="storage",
            handover=Handover(condition="sealed"),
        )
    assert stored.custodian.user_id is None
    assert stored.custodian.location == "Evidence room B, locker 14"
    assert stored.item.storage_location == "Evidence room B, locker 14"
    assert not stored.in_transit


def test_case_writer_releases_from_location(world: World) -> None:
    item = world.new_item(custodian_location="Evidence room B")
    with transaction(world.factory) as session:
        released = custody.release(
            session,
            world.ctx(world.carol),
            world.number,
            item.item.number,
            receiver="carol",
            purpose="lab_analysis",
            handover=Handover(),
        )
    assert released.custodian.location == "Evidence room B"
    assert released.pending_receiver is not None
    event = _events(world, item.item.number)[-1]
    assert event.from_location == "Evidence room B"
    assert event.to_user_id == world.carol.id


def test_viewer_cannot_release_from_location(world: World) -> None:
    item = world.new_item(custodian_location="Evidence room B")
    with transaction(world.factory) as session, pytest.raises(PermissionDenied, match="may not change"):
        custody.release(
            session,
            world.ctx(world.dave),
            world.number,
            item.item.number,
            receiver="carol",
            purpose="storage",
            handover=Handover(),
        )


def test_seal_change_recorded(world: World) -> None:
    item = world.new_item()
    with transaction(world.factory) as session:
        resealed = custody.change_seal(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            seal_number="S-2002",
            expected_version=item.item.version,
            handover=Handover(notes="opened for imaging, resealed"),
        )
    assert resealed.item.seal_number == "S-2002"
    event = _events(world, item.item.number)[-1]
    assert event.event_type == "seal_change"
    assert event.details == {"from": "S-1001", "to": "S-2002"}
    assert event.seal_number == "S-2002"


def test_correction_references_corrected_event(world: World) -> None:
    item = world.new_item()
    _release(world, item)
    release_event = _events(world, item.item.number)[-1]
    with transaction(world.factory) as session:
        correction = custody.correct_event(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            event_id=release_event.id,
            corrections={"location": "Evidence office, annex", "seal_number": "S-1002"},
            reason="wrong room and seal noted at handover",
        )
    assert correction.event_type == "correction"
    assert correction.corrects_event_id == release_event.id
    assert correction.details["fields"] == {"location": "Evidence office, annex", "seal_number": "S-1002"}
    assert correction.details["corrected_seq"] == release_event.seq
    unchanged = _events(world, item.item.number)[1]
    assert unchanged.location == "Evidence office, HQ"


def test_correction_rejects_unknown_field(world: World) -> None:
    item = world.new_item()
    intake = _events(world, item.item.number)[0]
    with transaction(world.factory) as session, pytest.raises(ValidationFailed, match="cannot be corrected"):
        custody.correct_event(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            event_id=intake.id,
            corrections={"to_user_id": world.bob.id},
            reason="try to rewrite who holds it",
        )


def test_hash_chain_links_events(world: World) -> None:
    item = world.new_item()
    _release(world, item)
    events = _events(world, item.item.number)
    assert events[0].prev_hash == "0" * 64
    assert events[1].prev_hash == events[0].hash
    with transaction(world.factory) as session:
        check = custody.verify_custody(session, world.ctx(world.alice), world.number, item.item.number)
    assert check.ok
    assert check.chain.events_checked == 2


def _drop_update_trigger(session: Session, backend: str) -> None:
    if backend == "sqlite":
        session.execute(text("DROP TRIGGER custody_event_no_update"))
    else:
        session.execute(text("DROP TRIGGER custody_event_append_only ON custody_event"))


def test_changed_event_breaks_chain(world: World, backend: str) -> None:
    item = world.new_item()
    _release(world, item)
    with transaction(world.factory) as session:
        _drop_update_trigger(session, backend)
        session.execute(
            text("UPDATE custody_event SET condition = 'seal broken' WHERE item_id = :item AND seq = 1"),
            {"item": item.item.id},
        )
    with transaction(world.factory) as session:
        check = custody.verify_custody(session, world.ctx(world.alice), world.number, item.item.number)
    assert not check.ok
    assert check.chain.first_bad_seq == 1
    assert check.chain.problem is not None
    assert "changed" in check.chain.problem


def test_failed_chain_check_is_audited(world: World, backend: str, factory: sessionmaker[Session]) -> None:
    item = world.new_item()
    with transaction(world.factory) as session:
        _drop_update_trigger(session, backend)
        session.execute(
            text("UPDATE custody_event SET notes = 'x' WHERE item_id = :item"), {"item": item.item.id}
        )
    with transaction(world.factory) as session:
        custody.verify_custody(session, world.ctx(world.alice), world.number, item.item.number)
    with transaction(factory) as session:
        outcome = session.execute(
            select(AuditRecord.outcome).where(AuditRecord.action == "custody.verify")
        ).scalar_one()
    assert outcome == "failure"


def test_custody_needs_case_access_for_new_member(world: World) -> None:
    make_user(world.factory, "erin", role="analyst", unit="Unit B")
    item = world.new_item()
    with pytest.raises(ValidationFailed, match="add them to the case first"):
        _release(world, item, receiver="erin")

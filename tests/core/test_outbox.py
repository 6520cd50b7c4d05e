"""Outbox: events commit with their change, in a gap-free order that a follower can trust."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.cases import notes
from casetrail.db.engine import transaction
from casetrail.db.outbox import OutboxEvent, advance_cursor, get_cursor, read_events
from tests.factories import context_for, make_case, make_user

WRITERS = 4
NOTES_PER_WRITER = 10


def _all_seqs(factory: sessionmaker[Session]) -> list[int]:
    with transaction(factory) as session:
        return list(session.execute(select(OutboxEvent.seq).order_by(OutboxEvent.seq)).scalars())


def test_change_writes_event_in_same_transaction(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    before = _all_seqs(factory)

    with transaction(factory) as session:
        note = notes.add_note(session, context_for(alice), case.number, "first observation")

    with transaction(factory) as session:
        events = read_events(session, after_seq=before[-1])
    assert [event.topic for event in events] == ["note.create"]
    assert events[0].object_id == note.id
    assert events[0].case_id == case.id


def test_rolled_back_change_leaves_no_event(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    before = _all_seqs(factory)
    with transaction(factory) as session:
        audit_before = session.execute(select(func.count()).select_from(AuditRecord)).scalar_one()

    session = factory()
    notes.add_note(session, context_for(alice), case.number, "never committed")
    session.rollback()
    session.close()
    with transaction(factory) as session:
        notes.add_note(session, context_for(alice), case.number, "committed")

    after = _all_seqs(factory)
    assert after == [*before, before[-1] + 1]
    with transaction(factory) as session:
        audit_after = session.execute(select(func.count()).select_from(AuditRecord)).scalar_one()
    assert audit_after == audit_before + 1


def test_concurrent_writers_give_gap_free_order(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice")
    start = _all_seqs(factory)[-1]
    ctx = context_for(alice)
    applied: list[int] = []
    done = threading.Event()
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            for index in range(NOTES_PER_WRITER):
                with transaction(factory) as session:
                    notes.add_note(session, ctx, case.number, f"writer {writer} note {index}")
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    def follow() -> None:
        # A follower that only ever asks for events after the last one it applied.
        while True:
            finished = done.is_set()
            with transaction(factory) as session:
                last = get_cursor(session, "test-follower") or start
                events = read_events(session, after_seq=last)
                applied.extend(event.seq for event in events)
                if events:
                    advance_cursor(session, "test-follower", events[-1].seq)
            if finished and not events:
                return

    writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    follower = threading.Thread(target=follow)
    follower.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    follower.join(timeout=60)

    assert not errors
    expected = list(range(start + 1, start + 1 + WRITERS * NOTES_PER_WRITER))
    assert _all_seqs(factory)[-len(expected) :] == expected
    assert applied == expected


def test_cursor_never_moves_back(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        advance_cursor(session, "follower", 5)
    with transaction(factory) as session, pytest.raises(ValueError, match="move back"):
        advance_cursor(session, "follower", 4)
    with transaction(factory) as session:
        assert get_cursor(session, "follower") == 5

"""The sync: changes reach Iceberg once, even when the process dies in the middle of a batch."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.cases import notes as note_service
from casetrail.db.engine import transaction
from casetrail.db.outbox import get_cursor
from casetrail.lakehouse.maintenance import remove_orphans
from casetrail.lakehouse.registry import spec_named
from casetrail.lakehouse.runtime import Lakehouse
from casetrail.lakehouse.sync import OUTBOX_CONSUMER, sync_until_caught_up
from casetrail.lakehouse.tables import applied_seq, load_table
from casetrail.lakehouse.writer import SyncHooks
from tests.factories import context_for
from tests.lakehouse.conftest import TwoCases
from tests.lakehouse.helpers import add_note, add_person, rows, values


class SimulatedCrash(Exception):
    """Raised by a hook to stop the sync where a real crash could stop it."""


def _crash_on(table_name: str) -> SyncHooks:
    def crash(name: str) -> None:
        if name == table_name:
            raise SimulatedCrash(name)

    return SyncHooks(after_data_files=crash)


def _crash_before_cursor() -> SyncHooks:
    def crash(_consumer: str) -> None:
        raise SimulatedCrash("before cursor commit")

    return SyncHooks(before_cursor_commit=crash)


def _statement_ids(lake: Lakehouse) -> list[str]:
    return values(lake, "statements", "id")


def test_change_appears_after_sync(
    lake: Lakehouse, factory: sessionmaker[Session], two_cases: TwoCases
) -> None:
    add_person(factory, two_cases.alice, two_cases.alpha, "Ivan Petrov")

    sync_until_caught_up(lake)

    names = [row["value"] for row in rows(lake, "statements") if row["prop"] == "name"]
    assert names == ["Ivan Petrov"]
    assert values(lake, "cases", "number") == ["2026-0001", "2026-0002"]
    assert [row["caption"] for row in rows(lake, "entities")] == ["Ivan Petrov"]


def test_update_replaces_row(lake: Lakehouse, factory: sessionmaker[Session], two_cases: TwoCases) -> None:
    note = add_note(factory, two_cases.alice, two_cases.alpha, "first draft")
    sync_until_caught_up(lake)
    with transaction(factory) as session:
        note_service.update_note(
            session,
            context_for(two_cases.alice),
            "2026-0001",
            note.id,
            body="second draft",
            expected_version=1,
        )

    sync_until_caught_up(lake)

    assert [(row["id"], row["body"]) for row in rows(lake, "notes")] == [(note.id, "second draft")]


def test_crash_before_catalog_commit_replays_once(
    lake: Lakehouse, factory: sessionmaker[Session], two_cases: TwoCases
) -> None:
    add_person(factory, two_cases.alice, two_cases.alpha, "Ivan Petrov", nationality=["ru"])
    statements = spec_named("statements")

    with pytest.raises(SimulatedCrash):
        sync_until_caught_up(lake, hooks=_crash_on("statements"))

    table = load_table(lake.catalog, lake.config, statements)
    assert table is not None
    assert table.current_snapshot() is None
    with transaction(factory) as session:
        assert get_cursor(session, OUTBOX_CONSUMER) == 0
    orphans = remove_orphans(lake, grace_minutes=0)
    assert orphans.get("statements", 0) >= 1

    sync_until_caught_up(lake)

    ids = _statement_ids(lake)
    assert len(ids) == 2
    assert len(set(ids)) == 2


def test_crash_before_cursor_commit_replays_once(
    lake: Lakehouse, factory: sessionmaker[Session], two_cases: TwoCases
) -> None:
    add_person(factory, two_cases.alice, two_cases.alpha, "Ivan Petrov", nationality=["ru"])

    with pytest.raises(SimulatedCrash):
        sync_until_caught_up(lake, hooks=_crash_before_cursor())

    table = load_table(lake.catalog, lake.config, spec_named("statements"))
    assert table is not None
    snapshots_before = len(table.snapshots())
    mark = applied_seq(table)
    with transaction(factory) as session:
        assert get_cursor(session, OUTBOX_CONSUMER) < mark

    sync_until_caught_up(lake)

    table.refresh()
    assert len(table.snapshots()) == snapshots_before
    ids = _statement_ids(lake)
    assert len(ids) == 2
    assert len(set(ids)) == 2
    with transaction(factory) as session:
        assert get_cursor(session, OUTBOX_CONSUMER) >= mark

"""Time travel: a query as of a moment, or at a snapshot, returns what the record showed then."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from casetrail.cases import notes as note_service
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.lakehouse.query import QueryRequest, run_query
from casetrail.lakehouse.registry import spec_named
from casetrail.lakehouse.runtime import Lakehouse
from casetrail.lakehouse.sync import sync_until_caught_up
from casetrail.lakehouse.tables import load_table
from tests.factories import context_for
from tests.lakehouse.conftest import TwoCases
from tests.lakehouse.helpers import add_note

QUERY = "SELECT n.body, c.number FROM notes n JOIN cases c ON c.id = n.case_id"


def _edit_after_moment(
    lake: Lakehouse, factory: sessionmaker[Session], cases: TwoCases
) -> tuple[datetime, int]:
    note = add_note(factory, cases.alice, cases.alpha, "suspect drives a red van")
    sync_until_caught_up(lake)
    table = load_table(lake.catalog, lake.config, spec_named("notes"))
    assert table is not None
    current = table.current_snapshot()
    assert current is not None
    first_snapshot = current.snapshot_id
    time.sleep(0.05)
    moment = datetime.now(UTC)
    time.sleep(0.05)
    with transaction(factory) as session:
        note_service.update_note(
            session,
            context_for(cases.alice),
            "2026-0001",
            note.id,
            body="suspect drives a blue van",
            expected_version=1,
        )
    sync_until_caught_up(lake)
    return moment, first_snapshot


def test_as_of_returns_earlier_value(
    lake: Lakehouse, factory: sessionmaker[Session], settings: Settings, two_cases: TwoCases
) -> None:
    moment, _ = _edit_after_moment(lake, factory, two_cases)

    with transaction(factory) as session:
        then = run_query(session, context_for(two_cases.alice), settings, QueryRequest(QUERY, as_of=moment))
    with transaction(factory) as session:
        now = run_query(session, context_for(two_cases.alice), settings, QueryRequest(QUERY))

    assert then.rows() == [["suspect drives a red van", "2026-0001"]]
    assert now.rows() == [["suspect drives a blue van", "2026-0001"]]


def test_snapshot_id_returns_earlier_value(
    lake: Lakehouse, factory: sessionmaker[Session], settings: Settings, two_cases: TwoCases
) -> None:
    _, snapshot_id = _edit_after_moment(lake, factory, two_cases)

    with transaction(factory) as session:
        then = run_query(
            session, context_for(two_cases.alice), settings, QueryRequest(QUERY, snapshot_id=snapshot_id)
        )

    assert then.rows() == [["suspect drives a red van", "2026-0001"]]
    assert then.snapshots["notes"] == snapshot_id


def test_as_of_before_any_data_is_empty(
    lake: Lakehouse, factory: sessionmaker[Session], settings: Settings, two_cases: TwoCases
) -> None:
    _edit_after_moment(lake, factory, two_cases)

    with transaction(factory) as session:
        then = run_query(
            session,
            context_for(two_cases.alice),
            settings,
            QueryRequest(QUERY, as_of=datetime(2000, 1, 1, tzinfo=UTC)),
        )

    assert then.rows() == []

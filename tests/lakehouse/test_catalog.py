"""Catalog behaviour on SQLite and on PostgreSQL: tables, schema evolution, sync, rebuild, status."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Engine, Select, literal, select, text
from sqlalchemy.orm import Session, sessionmaker

from casetrail.cases.models import Note
from casetrail.core.settings import Settings
from casetrail.lakehouse.files import list_files
from casetrail.lakehouse.rebuild import rebuild, status
from casetrail.lakehouse.registry import TABLES, spec_named
from casetrail.lakehouse.runtime import Lakehouse, open_lakehouse
from casetrail.lakehouse.sync import sync_until_caught_up
from casetrail.lakehouse.tables import ensure_table, load_table
from tests.lakehouse.conftest import TwoCases
from tests.lakehouse.helpers import add_note, add_person, rows


@pytest.fixture
def catalog_lake(catalog_settings: Settings, engine: Engine) -> Iterator[Lakehouse]:
    with open_lakehouse(catalog_settings, engine) as lakehouse:
        yield lakehouse


def test_catalog_uses_jdbc_catalog_tables(catalog_lake: Lakehouse, two_cases: TwoCases) -> None:
    sync_until_caught_up(catalog_lake)

    with catalog_lake.catalog.engine.connect() as connection:
        names = sorted(
            connection.execute(
                text("SELECT table_name FROM iceberg_tables WHERE catalog_name = 'casetrail'")
            ).scalars()
        )
    assert names == sorted(spec.name for spec in TABLES)


def test_sync_and_rebuild_agree(
    catalog_lake: Lakehouse, two_cases: TwoCases, factory: sessionmaker[Session]
) -> None:
    add_person(factory, two_cases.alice, two_cases.alpha, "Anna Alpha", nationality=["de"])
    add_note(factory, two_cases.bob, two_cases.bravo, "bravo note")
    sync_until_caught_up(catalog_lake)
    synced = {spec.name: sorted(str(row) for row in rows(catalog_lake, spec.name)) for spec in TABLES[:-1]}

    rebuild(catalog_lake)

    rebuilt = {spec.name: sorted(str(row) for row in rows(catalog_lake, spec.name)) for spec in TABLES[:-1]}
    assert rebuilt == synced


def test_rebuild_keeps_history(catalog_lake: Lakehouse, two_cases: TwoCases) -> None:
    sync_until_caught_up(catalog_lake)
    table = load_table(catalog_lake.catalog, catalog_lake.config, spec_named("cases"))
    assert table is not None
    before = len(table.snapshots())

    rebuild(catalog_lake)

    table.refresh()
    assert len(table.snapshots()) > before


def test_status_reports_lag_then_none(catalog_lake: Lakehouse, two_cases: TwoCases) -> None:
    behind = status(catalog_lake)
    sync_until_caught_up(catalog_lake)
    caught_up = status(catalog_lake)

    assert behind.outbox.behind > 0
    assert behind.outbox.oldest_pending_age_seconds is not None
    assert caught_up.outbox.behind == 0
    assert caught_up.audit.behind == 0
    assert {state.name for state in caught_up.tables if state.snapshot_id is not None} >= {"cases", "audit"}


def _notes_with_extra_column() -> Select[Any]:
    return select(*Note.__table__.columns, literal("added by a migration").label("extra"))


def test_new_column_is_added_without_rewriting_files(
    catalog_lake: Lakehouse, two_cases: TwoCases, factory: sessionmaker[Session]
) -> None:
    add_note(factory, two_cases.alice, two_cases.alpha, "before the migration")
    sync_until_caught_up(catalog_lake)
    notes = spec_named("notes")
    table = load_table(catalog_lake.catalog, catalog_lake.config, notes)
    assert table is not None
    files_before = sorted(stored.path for stored in list_files(table) if stored.path.endswith(".parquet"))

    evolved = ensure_table(
        catalog_lake.catalog, catalog_lake.config, replace(notes, source=_notes_with_extra_column)
    )

    files_after = sorted(stored.path for stored in list_files(evolved) if stored.path.endswith(".parquet"))
    assert [field.name for field in evolved.schema().fields][-1] == "extra"
    assert files_after == files_before
    assert [row["extra"] for row in evolved.scan().to_arrow().to_pylist()] == [None]

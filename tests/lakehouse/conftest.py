"""Fixtures of the lakehouse tests: a lakehouse beside each test's store, and case data.

The operational store runs on both backends (the ``engine`` fixture). The Iceberg catalog is
SQLite in DATA_DIR unless a test asks for ``catalog_backend``, which runs it on SQLite and on
a database of the test PostgreSQL server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.models import User
from casetrail.cases.models import Case
from casetrail.core.settings import LakehouseSettings, Settings
from casetrail.lakehouse.runtime import Lakehouse, open_lakehouse
from casetrail.lakehouse.sync import sync_until_caught_up
from tests.api.conftest import app, client_for  # noqa: F401 (fixtures of the API tests)
from tests.cli.runner import cli  # noqa: F401 (the fixture of the CLI tests)
from tests.factories import make_case, make_user
from tests.support.postgres import PostgresServer


@pytest.fixture
def lake(settings: Settings, engine: Engine) -> Iterator[Lakehouse]:
    with open_lakehouse(settings, engine) as lakehouse:
        yield lakehouse


def _catalog_backends() -> list[str]:
    chosen = os.environ.get("CASETRAIL_TEST_BACKENDS", "sqlite,postgresql")
    return [name.strip() for name in chosen.split(",") if name.strip()]


@pytest.fixture(params=_catalog_backends())
def catalog_settings(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Settings]:
    """Settings whose Iceberg catalog is on SQLite, then on PostgreSQL."""
    if request.param == "sqlite":
        yield settings
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"lakehouse_catalog_{os.getpid()}_{id(request)}"
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    lakehouse = LakehouseSettings(catalog_url=server.url_for(name))
    try:
        yield settings.model_copy(update={"lakehouse": lakehouse})
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class TwoCases:
    """Two users, each the lead of one case that the other may not see."""

    alice: User
    bob: User
    alpha: Case
    bravo: Case


@pytest.fixture
def two_cases(factory: sessionmaker[Session]) -> TwoCases:
    alice = make_user(factory, "alice", unit="Unit A")
    bob = make_user(factory, "bob", unit="Unit B")
    alpha = make_case(factory, "alice", number="2026-0001", title="Alpha")
    bravo = make_case(factory, "bob", number="2026-0002", title="Bravo")
    return TwoCases(alice=alice, bob=bob, alpha=alpha, bravo=bravo)


def synced(lake: Lakehouse) -> Lakehouse:
    sync_until_caught_up(lake)
    return lake

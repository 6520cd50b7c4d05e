"""Shared fixtures. Every storage test runs twice: on SQLite and on a real PostgreSQL.

Isolation: the schema is migrated once per backend into a template (a SQLite file, a
PostgreSQL template database); each test gets a fresh copy, so services commit for real and
nothing leaks between tests.

Set CASETRAIL_TEST_BACKENDS=sqlite to run without PostgreSQL on a developer machine. When
CI=true a PostgreSQL that cannot be started fails the run instead of skipping.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from casetrail.db.engine import build_engine, engine_for, session_factory
from casetrail.migrations.runner import upgrade
from tests.support.postgres import PostgresServer, PostgresUnavailable, start_postgres

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"
_counter = itertools.count()


def pytest_configure(config: pytest.Config) -> None:
    # Developer settings must not leak into tests.
    for name in list(os.environ):
        if name.startswith("CASETRAIL_") and name != "CASETRAIL_TEST_BACKENDS":
            del os.environ[name]


def _backends() -> list[str]:
    chosen = os.environ.get("CASETRAIL_TEST_BACKENDS", "sqlite,postgresql")
    return [name.strip() for name in chosen.split(",") if name.strip()]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    # Fold the write-ahead log into the main file so that copying one file copies everything.
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = start_postgres()
    except PostgresUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI: {error}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable: {error}")
    try:
        admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE casetrail_template"))
        admin.dispose()
        upgrade(server.url_for("casetrail_template"))
        yield server
    finally:
        server.stop()


def _postgres_database(server: PostgresServer) -> str:
    name = f"casetrail_test_{os.getpid()}_{next(_counter)}"
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE casetrail_template'))
    admin.dispose()
    return name


def _drop_postgres_database(server: PostgresServer, name: str) -> None:
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, migrated database on each backend in turn."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "casetrail.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = _postgres_database(server)
    try:
        yield server.url_for(name)
    finally:
        engine_for.cache_clear()
        _drop_postgres_database(server, name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path / "var", log_format="console")


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"

"""One search scenario per test module and backend, for tests that only read.

Searching writes audit records and nothing else, so tests that search without checking the
audit trail can share one database. Building the scenario once per module instead of once per
test keeps the search tests fast. Tests that change data or read the audit trail use the
function-scoped ``factory`` and ``scenario`` fixtures instead.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.db.engine import build_engine, engine_for, session_factory
from tests.conftest import _backends, _drop_postgres_database, _postgres_database
from tests.search.scenario import Scenario, build_scenario
from tests.support.postgres import PostgresServer


@pytest.fixture(scope="module", params=_backends())
def shared_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("shared") / "casetrail.db"
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


@pytest.fixture(scope="module")
def shared_factory(shared_url: str) -> Iterator[sessionmaker[Session]]:
    engine = build_engine(shared_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def shared_scenario(shared_factory: sessionmaker[Session]) -> Scenario:
    return build_scenario(shared_factory)

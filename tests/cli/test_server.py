"""`casetrail init` and `casetrail serve`: migrating, rejecting an unmigrated database, running workers."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from casetrail.audit.models import AuditRecord
from casetrail.core.settings import Settings
from casetrail.db.engine import build_engine, engine_for, transaction
from casetrail.migrations.runner import is_current
from tests.cli.runner import Cli
from tests.conftest import _backends
from tests.support.postgres import PostgresServer

CASETRAIL = Path(sys.executable).parent / "casetrail"
# Generous bounds for a loaded CI machine; the test never asserts how long start-up took.
STARTUP_DEADLINE_SECONDS = 90
SHUTDOWN_TIMEOUT_SECONDS = 30


@pytest.fixture
def fresh_cli(tmp_path: Path) -> Iterator[Cli]:
    """A CLI whose settings point at an empty data directory and the embedded database."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    env: dict[str, str | None] = {
        "CASETRAIL_DATA_DIR": str(tmp_path / "var"),
        "CASETRAIL_DATABASE_URL": None,
        "CASETRAIL_LOG_LEVEL": None,
    }
    cli = Cli(CliRunner(), env)
    yield cli
    root.handlers[:] = handlers
    root.setLevel(level)
    url = cli.env["CASETRAIL_DATABASE_URL"] or Settings(data_dir=tmp_path / "var").resolved_database_url
    engine_for(url).dispose()


@pytest.fixture(params=_backends())
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a database that exists but has never been migrated."""
    if request.param == "sqlite":
        path = tmp_path / "empty.db"
        path.touch()
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"casetrail_empty_{os.getpid()}"
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.url_for(name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_init_creates_data_dir_and_database(fresh_cli: Cli, tmp_path: Path) -> None:
    result = fresh_cli("init")

    assert result.exit_code == 0, result.stderr
    data_dir = tmp_path / "var"
    fields = dict(line.split(":", 1) for line in result.stdout.splitlines())
    assert fields["data directory"].strip() == str(data_dir)
    assert fields["database"].strip() == f"sqlite:///{data_dir / 'casetrail.db'}"
    assert fields["blob master key id"].strip() == "master-1"
    assert (data_dir / "keys" / "master.key").stat().st_mode & 0o777 == 0o600
    engine = build_engine(f"sqlite:///{data_dir / 'casetrail.db'}")
    assert is_current(engine)
    engine.dispose()


def test_init_twice_succeeds(fresh_cli: Cli) -> None:
    first = fresh_cli("init")

    second = fresh_cli("init", "-o", "json")

    assert first.exit_code == 0, first.stderr
    assert second.exit_code == 0, second.stderr
    assert second.stdout.count("casetrail.db") == 1


def test_init_on_migrated_database_keeps_data(
    cli: Cli, settings: Settings, factory: sessionmaker[Session]
) -> None:
    cli("unit", "add", "Unit A")

    result = cli("init")

    assert result.exit_code == 0, result.stderr
    with transaction(factory) as session:
        assert session.execute(select(func.count()).select_from(AuditRecord)).scalar_one() == 1


def test_serve_without_database_says_run_init(fresh_cli: Cli, tmp_path: Path) -> None:
    result = fresh_cli("serve", "--port", "1")

    assert result.exit_code == 1
    assert "no database at sqlite:///" in result.stderr
    assert "run `casetrail init` first" in result.stderr
    assert not (tmp_path / "var" / "casetrail.db").exists()


def test_serve_rejects_unmigrated_database(empty_database_url: str, fresh_cli: Cli) -> None:
    fresh_cli.env["CASETRAIL_DATABASE_URL"] = empty_database_url

    result = fresh_cli("serve", "--port", "1")

    assert result.exit_code == 1
    assert "is not migrated to the newest schema: run `casetrail init` first" in result.stderr


def test_unmigrated_database_says_run_init(empty_database_url: str, fresh_cli: Cli) -> None:
    fresh_cli.env["CASETRAIL_DATABASE_URL"] = empty_database_url

    result = fresh_cli("user", "list")

    assert result.exit_code == 1
    assert "error: database error:" in result.stderr
    assert "run `casetrail init`" in result.stderr


def test_serve_rejects_zero_workers(fresh_cli: Cli) -> None:
    result = fresh_cli("serve", "--workers", "0")

    assert result.exit_code == 2


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_healthy(process: subprocess.Popen[str], url: str) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            response = httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if response.status_code == 200:
            return response
        time.sleep(0.2)
    raise AssertionError(f"no answer from {url} within {STARTUP_DEADLINE_SECONDS} seconds")


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        _, stderr = process.communicate(timeout=SHUTDOWN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        # The server and its workers share the session started for it; end all of them.
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
    return stderr


def test_serve_runs_two_workers(settings: Settings) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "CASETRAIL_DATABASE_URL": settings.resolved_database_url,
        "CASETRAIL_DATA_DIR": str(settings.data_dir),
    }
    process = subprocess.Popen(
        [str(CASETRAIL), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        response = _wait_until_healthy(process, f"http://127.0.0.1:{port}/healthz")
    finally:
        stderr = _stop(process)

    assert response.json()["status"] == "ok"
    assert "server_starting" in stderr
    assert "workers=2" in stderr
    assert stderr.count("Started server process") == 2
    assert "server_stopped" in stderr

"""Running the `casetrail` command in-process against the test database of each backend.

Each call sets CASETRAIL_DATABASE_URL and CASETRAIL_DATA_DIR for the command and clears the cached
settings before and after, so every invocation reads its environment like a fresh process.
Unexpected exceptions are not caught: a crash fails the test instead of passing as exit code 1.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner, Result

from casetrail.cli.commands import app
from casetrail.core.settings import Settings, reset_settings_cache
from casetrail.db.engine import engine_for


@dataclass
class Cli:
    runner: CliRunner
    env: dict[str, str | None]

    def __call__(self, *args: str, token: str | None = None, stdin: str | None = None) -> Result:
        env = {**self.env, "CASETRAIL_TOKEN": token}
        reset_settings_cache()
        try:
            return self.runner.invoke(app, list(args), input=stdin, env=env, catch_exceptions=False)
        finally:
            reset_settings_cache()

    def token_for(self, username: str) -> str:
        result = self("user", "token", username, "--name", "tests")
        assert result.exit_code == 0, result.stderr
        return result.stdout.strip()


@pytest.fixture
def cli(settings: Settings) -> Iterator[Cli]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    env: dict[str, str | None] = {
        "CASETRAIL_DATABASE_URL": settings.database_url,
        "CASETRAIL_DATA_DIR": str(settings.data_dir),
        "CASETRAIL_LOG_LEVEL": None,
    }
    yield Cli(CliRunner(), env)
    # The command points the root logger at the runner's captured stderr; put the old one back.
    root.handlers[:] = handlers
    root.setLevel(level)
    engine_for(settings.resolved_database_url).dispose()

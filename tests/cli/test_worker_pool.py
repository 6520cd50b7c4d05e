"""The job worker pool of `casetrail serve` and `casetrail worker --concurrency N`."""

from __future__ import annotations

import os
import signal
import time

import pytest

from casetrail.blobs.keys import ensure_master_key
from casetrail.cli.worker import WorkerPool
from casetrail.core.settings import Settings

# Bound for a loaded CI machine; the test never asserts how long the restart took.
RESTART_DEADLINE_SECONDS = 60


def test_pool_restarts_killed_worker(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    ensure_master_key(settings)
    monkeypatch.setenv("CASETRAIL_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CASETRAIL_DATA_DIR", str(settings.data_dir))
    pool = WorkerPool(1)
    pool.start()
    try:
        first = pool.processes[0]
        assert first.pid is not None
        os.kill(first.pid, signal.SIGKILL)
        deadline = time.monotonic() + RESTART_DEADLINE_SECONDS
        while pool.processes[0] is first and time.monotonic() < deadline:
            time.sleep(0.2)
        replacement = pool.processes[0]

        assert replacement is not first
        assert replacement.is_alive()
    finally:
        pool.stop()

    assert not pool.processes[0].is_alive()

"""One lakehouse writer at a time.

Sync batches, rebuilds, purges and maintenance all change Iceberg tables and delete files.
Orphan-file removal in particular must not run while another process has written data files
that it has not yet committed, so every writer holds this lock for the span of its change.
On PostgreSQL it is a session advisory lock (it works across machines); on SQLite, whose
store lives on one machine, it is an ``flock`` on a file beside the lakehouse.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from casetrail.core.errors import Conflict
from casetrail.core.logging import get_logger

log = get_logger(__name__)

# An arbitrary constant that names the lakehouse writer among PostgreSQL advisory locks.
ADVISORY_LOCK_KEY = 0x4C414B45484F5553
POLL_SECONDS = 0.2


@contextmanager
def writer_lock(engine: Engine, lock_dir: Path, *, timeout_seconds: float = 600.0) -> Iterator[None]:
    """Hold the lakehouse writer lock; raise ``Conflict`` after ``timeout_seconds`` of waiting."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, timeout_seconds):
            yield
    else:
        with _file_lock(lock_dir / "writer.lock", timeout_seconds):
            yield


def _busy(timeout_seconds: float) -> Conflict:
    return Conflict(
        f"another lakehouse writer (sync, rebuild, purge or maintain) held the lock for "
        f"{timeout_seconds:.0f} seconds; try again when it has finished"
    )


@contextmanager
def _advisory_lock(engine: Engine, timeout_seconds: float) -> Iterator[None]:
    deadline = time.monotonic() + timeout_seconds
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        while not connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
        ).scalar():
            if time.monotonic() > deadline:
                raise _busy(timeout_seconds)
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})


@contextmanager
def _file_lock(path: Path, timeout_seconds: float) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_seconds
    with path.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise _busy(timeout_seconds) from None
                time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

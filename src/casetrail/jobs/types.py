"""Job handler context, and the shapes of handlers and periodic tasks.

A package with background work exposes ``HANDLERS: dict[str, JobHandler]`` (job kind to
handler) and may expose ``PERIODIC: list[PeriodicTask]`` in its ``tasks`` module; the worker
command assembles them. Kinds are namespaced by package: ``documents.ingest``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from casetrail.blobs.store import BlobStore
from casetrail.core.settings import Settings


@dataclass(frozen=True)
class JobContext:
    """Everything a handler may use. Handlers open their own transactions from ``sessions``."""

    settings: Settings
    sessions: sessionmaker[Session]
    blobs: BlobStore
    worker_id: str
    job_id: str = ""
    attempt: int = 0


# Raises to fail the attempt; the worker records the error and retries with back-off until
# the job's ``max_attempts`` is spent.
JobHandler = Callable[[JobContext, dict[str, Any]], None]

# Runs on every worker poll, for example an outbox follower. It returns how many items it
# handled, so that the worker polls again at once when there was work.
PeriodicTask = Callable[[JobContext], int]

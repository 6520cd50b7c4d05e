"""Job fixtures: a worker factory over the test database, with immediate retries."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.core.settings import JobSettings, Settings
from casetrail.jobs.types import JobHandler, PeriodicTask
from casetrail.jobs.worker import Worker

MakeWorker = Callable[..., Worker]


@pytest.fixture
def job_settings(settings: Settings) -> Settings:
    # Retries become runnable at once, so a test never sleeps through a back-off.
    jobs = JobSettings(retry_base_seconds=0, retry_max_seconds=0, poll_interval_seconds=0.05)
    return settings.model_copy(update={"jobs": jobs})


@pytest.fixture
def make_worker(job_settings: Settings, factory: sessionmaker[Session]) -> MakeWorker:
    ensure_master_key(job_settings)
    blobs = blob_store(job_settings)

    def build(
        handlers: Mapping[str, JobHandler],
        periodic: Sequence[PeriodicTask] = (),
        worker_id: str | None = None,
    ) -> Worker:
        return Worker(
            settings=job_settings,
            sessions=factory,
            blobs=blobs,
            handlers=handlers,
            periodic=periodic,
            worker_id=worker_id,
        )

    return build

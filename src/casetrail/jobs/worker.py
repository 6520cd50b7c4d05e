"""The worker loop: claim a job, run its handler, record the outcome, run periodic tasks.

One ``Worker`` runs one job at a time. Run several workers (processes, or machines sharing the
database) for parallel work; the queue hands each job to one of them. While a handler runs, a
heartbeat thread renews the job's lease, so only a worker that died loses its job to another.
``stop()`` (called by SIGTERM and SIGINT handlers) lets the running job finish, then returns.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import FrameType
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from casetrail.blobs.store import BlobStore
from casetrail.core.ids import new_id
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings
from casetrail.jobs import queue
from casetrail.jobs.types import JobContext, JobHandler, PeriodicTask

log = get_logger(__name__)


@dataclass
class RunStats:
    """Counts of jobs a worker handled since it started."""

    done: int = 0
    retried: int = 0
    failed: int = 0
    periodic_items: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def jobs(self) -> int:
        return self.done + self.retried + self.failed


class Worker:
    def __init__(
        self,
        *,
        settings: Settings,
        sessions: sessionmaker[Session],
        blobs: BlobStore,
        handlers: Mapping[str, JobHandler],
        periodic: Sequence[PeriodicTask] = (),
        worker_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.handlers = dict(handlers)
        self.periodic = list(periodic)
        self.worker_id = worker_id or f"worker-{new_id()}"
        self.context = JobContext(settings=settings, sessions=sessions, blobs=blobs, worker_id=self.worker_id)
        self.stats = RunStats()
        self._stopping = threading.Event()
        self._backoff = queue.Backoff(settings.jobs.retry_base_seconds, settings.jobs.retry_max_seconds)

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.context.sessions

    def stop(self) -> None:
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def install_signal_handlers(self) -> None:
        """Stop after the current job on SIGTERM or SIGINT (main thread only)."""

        def _on_signal(signum: int, _frame: FrameType | None) -> None:
            log.info("worker_stop_requested", worker_id=self.worker_id, signal=signum)
            self.stop()

        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)

    def run(self, *, once: bool = False) -> RunStats:
        """Work until ``stop()``; with ``once``, return as soon as no job is runnable."""
        log.info("worker_started", worker_id=self.worker_id, kinds=sorted(self.handlers), once=once)
        while not self.stopping:
            # Jobs first: a claim can end an abandoned job, which a periodic task then handles.
            ran_job = self._poll_queue()
            handled = self.run_periodic()
            if ran_job or handled:
                continue
            if once:
                break
            self._stopping.wait(self.settings.jobs.poll_interval_seconds)
        log.info("worker_stopped", worker_id=self.worker_id, jobs=self.stats.jobs)
        return self.stats

    def _poll_queue(self) -> bool:
        """Run one job; when the queue cannot be read (database down), log it and report no job."""
        try:
            return self.run_one()
        except Exception as error:  # the worker waits and polls again
            log.exception("job_poll_failed", worker_id=self.worker_id, error_type=type(error).__name__)
            self.stats.errors.append(f"poll: {type(error).__name__}: {error}")
            return False

    def run_periodic(self) -> int:
        """Run every periodic task once; a task that raises is logged and skipped this round."""
        handled = 0
        for task in self.periodic:
            try:
                handled += task(self.context)
            except Exception as error:
                name = getattr(task, "__qualname__", repr(task))
                log.exception(
                    "periodic_task_failed",
                    worker_id=self.worker_id,
                    task=name,
                    error_type=type(error).__name__,
                )
                self.stats.errors.append(f"{name}: {error}")
        self.stats.periodic_items += handled
        return handled

    def run_one(self) -> bool:
        """Claim and run one job; return False when none was runnable."""
        job = queue.claim(
            self.sessions,
            self.worker_id,
            sorted(self.handlers),
            lease_seconds=self.settings.jobs.lease_seconds,
        )
        if job is None:
            return False
        self._run(job)
        return True

    def _run(self, job: queue.ClaimedJob) -> None:
        fields: dict[str, Any] = {
            "job_id": job.id,
            "kind": job.kind,
            "attempt": job.attempt,
            "worker_id": self.worker_id,
        }
        log.info("job_started", **fields)
        started = time.monotonic()
        context = replace(self.context, job_id=job.id, attempt=job.attempt)
        heartbeat = _Heartbeat(self.sessions, job.id, self.worker_id, self.settings.jobs.lease_seconds)
        heartbeat.start()
        try:
            self.handlers[job.kind](context, job.payload)
        except Exception as error:
            heartbeat.stop()
            self._record_failure(job, error, fields)
            return
        heartbeat.stop()
        duration_ms = round((time.monotonic() - started) * 1000)
        if queue.complete(self.sessions, job.id, self.worker_id):
            self.stats.done += 1
            log.info("job_finished", duration_ms=duration_ms, **fields)
        else:
            log.warning("job_lock_lost", duration_ms=duration_ms, **fields)

    def _record_failure(self, job: queue.ClaimedJob, error: Exception, fields: dict[str, Any]) -> None:
        message = f"{type(error).__name__}: {error}"
        status = queue.fail(self.sessions, job.id, self.worker_id, message, backoff=self._backoff)
        self.stats.errors.append(message)
        if status == "queued":
            self.stats.retried += 1
            log.warning("job_retry", error_type=type(error).__name__, **fields)
        elif status == "failed":
            self.stats.failed += 1
            log.error("job_failed", error_type=type(error).__name__, **fields, exc_info=error)
        else:
            log.warning("job_lock_lost", error_type=type(error).__name__, **fields)


class _Heartbeat:
    """Renews a running job's lease every third of the lease until stopped."""

    def __init__(
        self, sessions: sessionmaker[Session], job_id: str, worker_id: str, lease_seconds: float
    ) -> None:
        self._sessions = sessions
        self._job_id = job_id
        self._worker_id = worker_id
        self._lease_seconds = lease_seconds
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._done.wait(self._lease_seconds / 3):
            try:
                held = queue.extend_lock(
                    self._sessions, self._job_id, self._worker_id, lease_seconds=self._lease_seconds
                )
            except Exception:
                log.exception("job_heartbeat_failed", job_id=self._job_id, worker_id=self._worker_id)
                continue
            if not held:
                log.warning("job_lock_lost", job_id=self._job_id, worker_id=self._worker_id)
                return

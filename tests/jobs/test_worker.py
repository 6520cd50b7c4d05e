"""The worker loop on both backends: parallel workers, failures, periodic tasks and stopping."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.db.engine import transaction
from casetrail.jobs import queue
from casetrail.jobs.models import Job
from casetrail.jobs.types import JobContext
from tests.jobs.conftest import MakeWorker


def _enqueue_many(factory: sessionmaker[Session], count: int, **options: Any) -> list[str]:
    with transaction(factory) as session:
        return [queue.enqueue(session, "test.echo", {"n": n}, **options).id for n in range(count)]


def test_two_workers_never_share_a_job(factory: sessionmaker[Session], make_worker: MakeWorker) -> None:
    job_ids = _enqueue_many(factory, 30)
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def handler(context: JobContext, payload: dict[str, Any]) -> None:
        with lock:
            seen.append((context.job_id, context.worker_id))

    workers = [make_worker({"test.echo": handler}, worker_id=f"w{n}") for n in range(2)]
    threads = [threading.Thread(target=worker.run, kwargs={"once": True}) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    runs = Counter(job_id for job_id, _ in seen)
    assert sorted(runs) == sorted(job_ids)
    assert set(runs.values()) == {1}
    with transaction(factory) as session:
        statuses = set(session.execute(select(Job.status)).scalars())
    assert statuses == {"done"}


def test_failing_job_retries_then_fails(factory: sessionmaker[Session], make_worker: MakeWorker) -> None:
    [job_id] = _enqueue_many(factory, 1, max_attempts=3)
    attempts: list[int] = []

    def handler(context: JobContext, payload: dict[str, Any]) -> None:
        attempts.append(context.attempt)
        raise ValueError("cannot read payload")

    worker = make_worker({"test.echo": handler})
    stats = worker.run(once=True)

    assert attempts == [1, 2, 3]
    assert stats.retried == 2
    assert stats.failed == 1
    with transaction(factory) as session:
        job = queue.get_job(session, job_id)
    assert job.status == "failed"
    assert job.last_error == "ValueError: cannot read payload"


def test_failure_then_success_on_retry(factory: sessionmaker[Session], make_worker: MakeWorker) -> None:
    [job_id] = _enqueue_many(factory, 1)
    attempts: list[int] = []

    def handler(context: JobContext, payload: dict[str, Any]) -> None:
        attempts.append(context.attempt)
        if context.attempt == 1:
            raise ConnectionError("database went away")

    stats = make_worker({"test.echo": handler}).run(once=True)

    assert attempts == [1, 2]
    assert stats.done == 1
    with transaction(factory) as session:
        assert queue.get_job(session, job_id).status == "done"


def test_crashed_job_is_finished_by_another_worker(
    factory: sessionmaker[Session], make_worker: MakeWorker
) -> None:
    [job_id] = _enqueue_many(factory, 1)
    # A worker that claimed the job and died: its lease has run out.
    assert queue.claim(factory, "dead-worker", ["test.echo"], lease_seconds=-1) is not None
    ran: list[int] = []

    def handler(context: JobContext, payload: dict[str, Any]) -> None:
        ran.append(context.attempt)

    make_worker({"test.echo": handler}).run(once=True)

    assert ran == [2]
    with transaction(factory) as session:
        assert queue.get_job(session, job_id).status == "done"


def test_periodic_task_error_does_not_stop_jobs(
    factory: sessionmaker[Session], make_worker: MakeWorker
) -> None:
    _enqueue_many(factory, 2)
    calls: list[str] = []

    def broken(context: JobContext) -> int:
        calls.append("broken")
        raise RuntimeError("follower failed")

    def handler(context: JobContext, payload: dict[str, Any]) -> None:
        calls.append("job")

    stats = make_worker({"test.echo": handler}, periodic=[broken]).run(once=True)

    assert calls.count("job") == 2
    assert stats.done == 2
    assert "broken" in calls
    assert stats.errors[0].endswith("follower failed")


def test_periodic_task_runs_until_idle(factory: sessionmaker[Session], make_worker: MakeWorker) -> None:
    backlog = [3]

    def drain(context: JobContext) -> int:
        if backlog[0] == 0:
            return 0
        backlog[0] -= 1
        return 1

    stats = make_worker({}, periodic=[drain]).run(once=True)

    assert backlog == [0]
    assert stats.periodic_items == 3


def test_sigterm_stops_worker(factory: sessionmaker[Session], make_worker: MakeWorker) -> None:
    worker = make_worker({})
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    worker.install_signal_handlers()
    timer = threading.Timer(0.2, os.kill, args=(os.getpid(), signal.SIGTERM))
    try:
        timer.start()
        worker.run()
    finally:
        timer.cancel()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    assert worker.stopping

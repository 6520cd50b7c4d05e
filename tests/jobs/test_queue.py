"""The job queue on both backends: enqueue, claim, lease expiry, back-off and retry."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.clock import utcnow
from casetrail.core.errors import InvalidTransition, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.jobs import queue
from casetrail.jobs.models import Job

BACKOFF = queue.Backoff(base_seconds=60, max_seconds=600)


def _enqueue(factory: sessionmaker[Session], kind: str = "test.echo", **options: object) -> str:
    with transaction(factory) as session:
        return queue.enqueue(session, kind, {"n": 1}, **options).id  # type: ignore[arg-type]


def _job(factory: sessionmaker[Session], job_id: str) -> Job:
    with transaction(factory) as session:
        return queue.get_job(session, job_id)


def test_enqueue_rolls_back_with_transaction(factory: sessionmaker[Session]) -> None:
    session = factory()
    queue.enqueue(session, "test.echo", {})
    session.rollback()
    session.close()

    assert queue.claim(factory, "w1", ["test.echo"], lease_seconds=60) is None


def test_enqueue_rejects_kind_without_package(factory: sessionmaker[Session]) -> None:
    with pytest.raises(ValidationFailed), transaction(factory) as session:
        queue.enqueue(session, "echo", {})


def test_claim_takes_job_once(factory: sessionmaker[Session]) -> None:
    job_id = _enqueue(factory)

    first = queue.claim(factory, "w1", ["test.echo"], lease_seconds=60)
    second = queue.claim(factory, "w2", ["test.echo"], lease_seconds=60)

    assert first is not None
    assert first.id == job_id
    assert first.attempt == 1
    assert first.payload == {"n": 1}
    assert second is None


def test_claim_ignores_other_kinds(factory: sessionmaker[Session]) -> None:
    _enqueue(factory, "test.other")

    assert queue.claim(factory, "w1", ["test.echo"], lease_seconds=60) is None


def test_claim_waits_for_run_after(factory: sessionmaker[Session]) -> None:
    _enqueue(factory, run_after=utcnow() + timedelta(hours=1))

    assert queue.claim(factory, "w1", ["test.echo"], lease_seconds=60) is None


def test_complete_marks_done(factory: sessionmaker[Session]) -> None:
    job_id = _enqueue(factory)
    queue.claim(factory, "w1", ["test.echo"], lease_seconds=60)

    assert queue.complete(factory, job_id, "w1")
    job = _job(factory, job_id)
    assert job.status == "done"
    assert job.locked_by is None
    assert job.finished_at is not None


def test_expired_lock_is_taken_again(factory: sessionmaker[Session]) -> None:
    job_id = _enqueue(factory)
    crashed = queue.claim(factory, "w1", ["test.echo"], lease_seconds=0)
    assert crashed is not None
    time.sleep(0.01)

    retaken = queue.claim(factory, "w2", ["test.echo"], lease_seconds=60)

    assert retaken is not None
    assert retaken.id == job_id
    assert retaken.attempt == 2
    assert not queue.complete(factory, job_id, "w1")
    assert queue.complete(factory, job_id, "w2")


def test_expired_lock_without_attempts_left_fails(factory: sessionmaker[Session]) -> None:
    job_id = _enqueue(factory, max_attempts=1)
    queue.claim(factory, "w1", ["test.echo"], lease_seconds=0)
    time.sleep(0.01)

    assert queue.claim(factory, "w2", ["test.echo"], lease_seconds=60) is None
    job = _job(factory, job_id)
    assert job.status == "failed"
    assert "lock expired" in (job.last_error or "")


def test_fail_backs_off_then_fails(factory: sessionmaker[Session]) -> None:
    job_id = _enqueue(factory, max_attempts=2)
    queue.claim(factory, "w1", ["test.echo"], lease_seconds=60)

    first = queue.fail(factory, job_id, "w1", "ValueError: bad", backoff=BACKOFF)
    job = _job(factory, job_id)
    assert first == "queued"
    assert job.run_after > utcnow() + timedelta(seconds=50)
    assert queue.claim(factory, "w1", ["test.echo"], lease_seconds=60) is None

    with transaction(factory) as session:
        session.get_one(Job, job_id).run_after = utcnow()
    queue.claim(factory, "w1", ["test.echo"], lease_seconds=60)
    second = queue.fail(factory, job_id, "w1", "ValueError: bad again", backoff=BACKOFF)
    job = _job(factory, job_id)
    assert second == "failed"
    assert job.last_error == "ValueError: bad again"


def test_fail_by_other_worker_is_ignored(factory: sessionmaker[Session]) -> None:
    job_id = _enqueue(factory)
    queue.claim(factory, "w1", ["test.echo"], lease_seconds=60)

    assert queue.fail(factory, job_id, "w2", "late", backoff=BACKOFF) is None
    assert _job(factory, job_id).status == "running"


def test_retry_requeues_failed_job(factory: sessionmaker[Session]) -> None:
    job_id = _enqueue(factory, max_attempts=1)
    queue.claim(factory, "w1", ["test.echo"], lease_seconds=60)
    queue.fail(factory, job_id, "w1", "boom", backoff=BACKOFF)

    with transaction(factory) as session:
        queue.retry(session, job_id)
    again = queue.claim(factory, "w1", ["test.echo"], lease_seconds=60)

    assert again is not None
    assert again.attempt == 1


def test_retry_rejects_job_not_failed(factory: sessionmaker[Session]) -> None:
    job_id = _enqueue(factory)

    with pytest.raises(InvalidTransition), transaction(factory) as session:
        queue.retry(session, job_id)


def test_backoff_doubles_and_caps() -> None:
    backoff = queue.Backoff(base_seconds=10, max_seconds=35)

    assert backoff.delay(1) == timedelta(seconds=10)
    assert backoff.delay(2) == timedelta(seconds=20)
    assert backoff.delay(3) == timedelta(seconds=35)


def test_queue_counts_by_kind_and_status(factory: sessionmaker[Session]) -> None:
    _enqueue(factory)
    _enqueue(factory)
    job_id = _enqueue(factory, "test.other")
    queue.claim(factory, "w1", ["test.other"], lease_seconds=60)
    queue.complete(factory, job_id, "w1")

    with transaction(factory) as session:
        counts = queue.queue_counts(session)

    assert [(c.kind, c.status, c.count) for c in counts] == [
        ("test.echo", "queued", 2),
        ("test.other", "done", 1),
    ]

"""The job queue: enqueue in the caller's transaction, claim, complete and fail.

A claimed job is ``running`` with ``locked_by`` set and ``locked_until`` in the future. A worker
that dies leaves the lock to expire; the next claim takes the job again and counts the attempt.
PostgreSQL claims with ``SELECT ... FOR UPDATE SKIP LOCKED``, so concurrent workers pass over
rows another worker is claiming. SQLite opens every transaction with ``BEGIN IMMEDIATE`` (see
``casetrail.db.engine``), so one claim transaction runs at a time. On both backends the update
that takes a job also checks that the row is still in the state the claim read, so a job is
never taken twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.clock import utcnow
from casetrail.core.errors import InvalidTransition, NotFound, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.jobs.models import Job

MAX_KIND_LENGTH = 64
MAX_ERROR_LENGTH = 2000
# Candidates read per claim; more than one so that a row lost to another worker is not a miss.
_CLAIM_BATCH = 5


@dataclass(frozen=True)
class ClaimedJob:
    id: str
    kind: str
    payload: dict[str, Any]
    attempt: int
    """1 for the first run, counting runs whose worker died."""
    max_attempts: int


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt ``n + 1`` after ``n`` failed: ``base * 2 ** (n - 1)``, capped. Seconds."""

    base_seconds: float = 10.0
    max_seconds: float = 3600.0

    def delay(self, failed_attempts: int) -> timedelta:
        seconds = self.base_seconds * 2 ** max(failed_attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.max_seconds))


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    run_after: datetime | None = None,
    max_attempts: int = 3,
) -> Job:
    """Add a job in the caller's transaction: it exists exactly when that transaction commits."""
    if not kind or len(kind) > MAX_KIND_LENGTH or "." not in kind:
        raise ValidationFailed(
            f"invalid job kind {kind!r}", {"kind": "package.action, at most 64 characters"}
        )
    if max_attempts < 1:
        raise ValidationFailed(f"invalid max_attempts {max_attempts}", {"max_attempts": "at least 1"})
    now = utcnow()
    job = Job(
        kind=kind,
        payload=dict(payload),
        status="queued",
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after or now,
        created_at=now,
    )
    session.add(job)
    session.flush()
    return job


def _claimable(kinds: Sequence[str], now: datetime) -> Any:
    waiting = and_(Job.status == "queued", Job.run_after <= now)
    abandoned = and_(Job.status == "running", Job.locked_until < now)
    return and_(Job.kind.in_(list(kinds)), or_(waiting, abandoned))


def claim(
    sessions: sessionmaker[Session], worker_id: str, kinds: Sequence[str], *, lease_seconds: float
) -> ClaimedJob | None:
    """Take the oldest runnable job of ``kinds`` in one short transaction, or return None.

    A job whose lock expired with no attempts left is marked failed instead of being run again.
    """
    if not kinds:
        return None
    with transaction(sessions) as session:
        now = utcnow()
        query = (
            select(Job.id, Job.status, Job.attempts, Job.max_attempts)
            .where(_claimable(kinds, now))
            .order_by(Job.run_after, Job.created_at)
            .limit(_CLAIM_BATCH)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        for row in session.execute(query).all():
            if row.attempts >= row.max_attempts:
                _give_up_abandoned(session, row.id, row.attempts, now)
                continue
            taken = _take(session, row, worker_id, now, lease_seconds)
            if taken is not None:
                return taken
    return None


def _take(
    session: Session, row: Any, worker_id: str, now: datetime, lease_seconds: float
) -> ClaimedJob | None:
    result = session.execute(
        update(Job)
        .where(
            Job.id == row.id,
            Job.status == row.status,
            # ``attempts`` grows on every claim, so it doubles as the row's version.
            Job.attempts == row.attempts,
        )
        .values(
            status="running",
            attempts=row.attempts + 1,
            locked_by=worker_id,
            locked_until=now + timedelta(seconds=lease_seconds),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = session.execute(select(Job.kind, Job.payload).where(Job.id == row.id)).one()
    return ClaimedJob(
        id=row.id,
        kind=job.kind,
        payload=dict(job.payload),
        attempt=row.attempts + 1,
        max_attempts=row.max_attempts,
    )


def _give_up_abandoned(session: Session, job_id: str, attempts: int, now: datetime) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running")
        .values(
            status="failed",
            locked_by=None,
            locked_until=None,
            finished_at=now,
            last_error=f"the worker stopped during each of {attempts} attempts (lock expired)",
        )
        .execution_options(synchronize_session=False)
    )


def extend_lock(
    sessions: sessionmaker[Session], job_id: str, worker_id: str, *, lease_seconds: float
) -> bool:
    """Push the lock of a running job forward; False when this worker no longer holds it."""
    with transaction(sessions) as session:
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.locked_by == worker_id, Job.status == "running")
            .values(locked_until=utcnow() + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def complete(sessions: sessionmaker[Session], job_id: str, worker_id: str) -> bool:
    """Mark a job done; False when its lock expired and another worker took it."""
    with transaction(sessions) as session:
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.locked_by == worker_id, Job.status == "running")
            .values(status="done", locked_by=None, locked_until=None, finished_at=utcnow(), last_error=None)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def fail(
    sessions: sessionmaker[Session], job_id: str, worker_id: str, error: str, *, backoff: Backoff
) -> str | None:
    """Record a failed attempt; return the job's new status (queued for a retry, or failed).

    Returns None when this worker's lease on the job has ended.
    """
    with transaction(sessions) as session:
        job = session.execute(
            select(Job).where(Job.id == job_id, Job.locked_by == worker_id, Job.status == "running")
        ).scalar_one_or_none()
        if job is None:
            return None
        now = utcnow()
        job.last_error = error[:MAX_ERROR_LENGTH]
        job.locked_by = None
        job.locked_until = None
        if job.attempts >= job.max_attempts:
            job.status = "failed"
            job.finished_at = now
        else:
            job.status = "queued"
            job.run_after = now + backoff.delay(job.attempts)
        return job.status


def retry(session: Session, job_id: str) -> Job:
    """Queue a failed job again with a fresh set of attempts, in the caller's transaction."""
    job = session.get(Job, job_id, with_for_update=True)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    if job.status != "failed":
        raise InvalidTransition(f"job {job_id} is {job.status}: only a failed job can be retried")
    job.status = "queued"
    job.attempts = 0
    job.run_after = utcnow()
    job.finished_at = None
    session.flush()
    return job


def get_job(session: Session, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    return job


@dataclass(frozen=True)
class QueueCount:
    kind: str
    status: str
    count: int


def queue_counts(session: Session) -> list[QueueCount]:
    """Count jobs by kind and status, for an operator's view of the queue."""
    rows = session.execute(
        select(Job.kind, Job.status, func.count())
        .group_by(Job.kind, Job.status)
        .order_by(Job.kind, Job.status)
    )
    return [QueueCount(kind=kind, status=status, count=count) for kind, status, count in rows]

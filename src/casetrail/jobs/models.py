"""The job table.

Workers claim a queued job whose ``run_after`` has passed by setting ``locked_by`` and
``locked_until``; a job whose lock expired (its worker died) is claimable again. PostgreSQL
claims with ``FOR UPDATE SKIP LOCKED`` so several workers never take the same row; SQLite
serialises writers, which gives the same guarantee.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.db.base import Base

JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(Base):
    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    run_after: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_job_status_run_after", "status", "run_after"),)

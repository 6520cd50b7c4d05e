"""Transactional outbox: every change to the store also records an event in the same transaction.

Search, graph and lakehouse follow the store by reading events in ``seq`` order and storing
the last ``seq`` they applied in ``outbox_cursor`` (see ``ledger`` for why ``seq`` is gap-free
and in commit order). Applying an event and advancing the cursor in one transaction means an
event is applied exactly once, even after a crash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from casetrail.core.clock import utcnow
from casetrail.db.base import Base
from casetrail.db.ledger import lock_head

_PENDING_KEY = "casetrail_outbox_pending"


class OutboxEvent(Base):
    __tablename__ = "outbox_event"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    topic: Mapped[str] = mapped_column(String(64), nullable=False)
    object_type: Mapped[str] = mapped_column(String(64), nullable=False)
    object_id: Mapped[str] = mapped_column(String(200), nullable=False)
    case_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    operation: Mapped[str] = mapped_column(String(16), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    __table_args__ = (Index("ix_outbox_event_case_id", "case_id"),)


class OutboxCursor(Base):
    """The last event a follower applied, keyed by follower name."""

    __tablename__ = "outbox_cursor"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)


def emit(
    session: Session,
    *,
    object_type: str,
    object_id: str,
    operation: str,
    case_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Queue an event; it is written with a sequence number when the transaction commits.

    ``operation`` is one of create, update, delete. The payload carries ids and changed field
    names for followers to re-read the record; it is not a copy of case content.
    """
    pending: list[dict[str, Any]] = session.info.setdefault(_PENDING_KEY, [])
    pending.append(
        {
            "topic": f"{object_type}.{operation}",
            "object_type": object_type,
            "object_id": object_id,
            "case_id": case_id,
            "operation": operation,
            "payload": payload or {},
        }
    )


@event.listens_for(Session, "before_commit")
def _write_pending_events(session: Session) -> None:
    pending: list[dict[str, Any]] = session.info.pop(_PENDING_KEY, [])
    if not pending:
        return
    head = lock_head(session)
    now = utcnow()
    for item in pending:
        head.outbox_seq += 1
        session.add(OutboxEvent(seq=head.outbox_seq, created_at=now, **item))
    session.flush()


@event.listens_for(Session, "after_rollback")
def _drop_pending_events(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def read_events(session: Session, after_seq: int, limit: int = 500) -> list[OutboxEvent]:
    rows = session.execute(
        select(OutboxEvent).where(OutboxEvent.seq > after_seq).order_by(OutboxEvent.seq).limit(limit)
    )
    return list(rows.scalars())


def get_cursor(session: Session, consumer: str) -> int:
    cursor = session.get(OutboxCursor, consumer, with_for_update=True)
    return cursor.last_seq if cursor else 0


def advance_cursor(session: Session, consumer: str, last_seq: int) -> None:
    """Record ``last_seq`` as applied; call in the transaction that applied the events."""
    cursor = session.get(OutboxCursor, consumer, with_for_update=True)
    if cursor is None:
        session.add(OutboxCursor(consumer=consumer, last_seq=last_seq, updated_at=utcnow()))
    else:
        if last_seq < cursor.last_seq:
            raise ValueError(f"cursor of {consumer} would move back from {cursor.last_seq} to {last_seq}")
        cursor.last_seq = last_seq
        cursor.updated_at = utcnow()

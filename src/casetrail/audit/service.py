"""Appending to the audit trail.

``record`` queues an entry in the session; the entries are chained and inserted when the
transaction commits, so a change and its audit record commit together or not at all. Denied
requests roll back their transaction, so ``record_denial`` writes its entry in a transaction
of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.actions import AuditAction
from casetrail.audit.chain import record_hash
from casetrail.audit.models import AuditRecord
from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.db.engine import transaction
from casetrail.db.ledger import lock_head

_PENDING_KEY = "casetrail_audit_pending"


@dataclass(frozen=True)
class AuditSource:
    """The actor and origin of a request: the part of a request context the audit trail records."""

    actor_id: str | None
    actor_name: str
    client_addr: str | None = None
    request_id: str | None = None
    purpose: str | None = None


@dataclass
class _PendingEntry:
    source: AuditSource
    action: AuditAction
    outcome: str
    object_type: str | None
    object_id: str | None
    case_id: str | None
    detail: dict[str, Any] = field(default_factory=dict)


def record(
    session: Session,
    source: AuditSource,
    action: AuditAction,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    case_id: str | None = None,
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
) -> None:
    """Queue an audit entry. ``detail`` contains ids and field names, never case content."""
    pending: list[_PendingEntry] = session.info.setdefault(_PENDING_KEY, [])
    pending.append(
        _PendingEntry(
            source=source,
            action=AuditAction(action),
            outcome=outcome,
            object_type=object_type,
            object_id=object_id,
            case_id=case_id or (object_id if object_type == "case" else None),
            detail=dict(detail or {}),
        )
    )


def record_denial(
    factory: sessionmaker[Session],
    source: AuditSource,
    *,
    attempted: str,
    object_type: str | None,
    object_id: str | None,
    reason: str,
    case_id: str | None = None,
) -> None:
    """Write an ``access.denied`` entry in its own transaction, after the request rolled back."""
    with transaction(factory) as session:
        record(
            session,
            source,
            AuditAction.ACCESS_DENIED,
            object_type=object_type,
            object_id=object_id,
            case_id=case_id or (object_id if object_type == "case" else None),
            outcome="denied",
            detail={"attempted": attempted, "reason": reason},
        )


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    pending: list[_PendingEntry] = session.info.pop(_PENDING_KEY, [])
    if not pending:
        return
    head = lock_head(session)
    for entry in pending:
        head.audit_seq += 1
        row = AuditRecord(
            seq=head.audit_seq,
            id=new_id(),
            at=utcnow(),
            actor_id=entry.source.actor_id,
            actor_name=entry.source.actor_name,
            action=str(entry.action),
            outcome=entry.outcome,
            object_type=entry.object_type,
            object_id=entry.object_id,
            case_id=entry.case_id,
            client_addr=entry.source.client_addr,
            request_id=entry.source.request_id,
            purpose=entry.source.purpose,
            detail=entry.detail,
            prev_hash=head.audit_hash,
        )
        row.hash = record_hash(row.prev_hash, row.hashed_fields())
        head.audit_hash = row.hash
        session.add(row)
    session.flush()


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def list_records(
    session: Session,
    *,
    case_id: str | None = None,
    actor_id: str | None = None,
    action: str | None = None,
    after_seq: int = 0,
    before_seq: int | None = None,
    newest_first: bool = False,
    limit: int = 100,
) -> list[AuditRecord]:
    """Return records with ``after_seq < seq < before_seq`` in sequence order.

    ``newest_first`` returns the ``limit`` records with the highest numbers first, so that a
    reader can page back from the latest record with ``before_seq``.
    """
    query = select(AuditRecord).where(AuditRecord.seq > after_seq)
    if before_seq is not None:
        query = query.where(AuditRecord.seq < before_seq)
    if case_id is not None:
        query = query.where(AuditRecord.case_id == case_id)
    if actor_id is not None:
        query = query.where(AuditRecord.actor_id == actor_id)
    if action is not None:
        query = query.where(AuditRecord.action == action)
    order = AuditRecord.seq.desc() if newest_first else AuditRecord.seq
    return list(session.execute(query.order_by(order).limit(limit)).scalars())

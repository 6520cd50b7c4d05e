"""Appending custody events: the only code that writes ``custody_event`` rows.

Each event takes the next sequence number of its item and chains to the item's newest event.
Callers hold a row lock on the item (``open_item(..., lock=True)``), so two events of one item
cannot take the same number. The unique (item, seq) constraint backs that up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.core.clock import utcnow
from casetrail.core.errors import ValidationFailed
from casetrail.core.ids import new_id
from casetrail.db.outbox import emit
from casetrail.evidence.chain import event_hash
from casetrail.evidence.models import CustodyEvent, EvidenceItem
from casetrail.evidence.workflow import EventType, Purpose

MAX_NOTES_LENGTH = 10_000


@dataclass(frozen=True)
class Handover:
    """Statements made at a custody step: when and where it happened, the seal and its condition.

    ``seal_number`` None means the item's current seal number.
    """

    occurred_at: datetime | None = None
    location: str = ""
    seal_number: str | None = None
    condition: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Party:
    """One side of a custody step: a user or a named location (an evidence room, a lab)."""

    user_id: str | None = None
    location: str | None = None


def aware_utc(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise ValidationFailed(f"{field} has no time zone", {field: "give a time with a UTC offset"})
    return value.astimezone(UTC)


def check_purpose(purpose: str | None) -> str | None:
    if purpose is None:
        return None
    if purpose not in set(Purpose):
        raise ValidationFailed(
            f"unknown purpose {purpose!r}", {"purpose": f"choose one of {', '.join(Purpose)}"}
        )
    return purpose


def _check_handover(handover: Handover) -> None:
    errors: dict[str, str] = {}
    if len(handover.location) > 300:
        errors["location"] = "longer than 300 characters"
    if handover.seal_number is not None and len(handover.seal_number) > 100:
        errors["seal_number"] = "longer than 100 characters"
    if len(handover.condition) > 500:
        errors["condition"] = "longer than 500 characters"
    if len(handover.notes) > MAX_NOTES_LENGTH:
        errors["notes"] = f"longer than {MAX_NOTES_LENGTH} characters"
    if errors:
        raise ValidationFailed("invalid custody record", errors)


def append_event(
    session: Session,
    ctx: RequestContext,
    item: EvidenceItem,
    event_type: EventType,
    handover: Handover,
    *,
    source: Party | None = None,
    target: Party | None = None,
    purpose: str | None = None,
    corrects_event_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> CustodyEvent:
    _check_handover(handover)

    source = source or Party()
    target = target or Party()
    now = utcnow()
    # The id is set here, not by the column default, because the hash covers it.
    event = CustodyEvent(
        id=new_id(),
        item_id=item.id,
        case_id=item.case_id,
        seq=item.custody_seq + 1,
        event_type=event_type.value,
        from_user_id=source.user_id,
        from_location=source.location,
        to_user_id=target.user_id,
        to_location=target.location,
        purpose=check_purpose(purpose),
        occurred_at=aware_utc(handover.occurred_at, "occurred_at") if handover.occurred_at else now,
        location=handover.location.strip(),
        seal_number=(item.seal_number if handover.seal_number is None else handover.seal_number.strip()),
        condition=handover.condition.strip(),
        notes=handover.notes.strip(),
        recorded_by=ctx.actor.username,
        recorded_by_id=ctx.actor.user_id,
        recorded_at=now,
        corrects_event_id=corrects_event_id,
        details=dict(details or {}),
        prev_hash=item.custody_head,
    )
    event.hash = event_hash(event.prev_hash, event.hashed_fields())

    item.custody_seq = event.seq
    item.custody_head = event.hash
    session.add(event)
    session.flush()

    record(
        session,
        ctx.audit_source,
        AuditAction.CUSTODY_RECORD,
        object_type="custody_event",
        object_id=event.id,
        case_id=item.case_id,
        detail={"item_id": item.id, "event_type": event.event_type, "seq": event.seq},
    )
    emit(
        session,
        object_type="custody_event",
        object_id=event.id,
        operation="create",
        case_id=item.case_id,
        payload={"item_id": item.id, "seq": event.seq},
    )
    return event

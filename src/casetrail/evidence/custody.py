"""Chain of custody: handovers between people and locations, seal changes and corrections.

A handover between two people takes two steps. The custodian releases the item to a named
receiver. Until the receiver accepts, the item is in transit: the releaser is still recorded as
custodian and the receiver as pending. Only the named receiver accepts, and only the releaser
cancels. Putting an item into a location (an evidence room, a locker) is one step, because a
location cannot accept.

Nothing here edits or deletes an event. A wrong event is corrected by a new ``correction``
event that names it and restates the corrected fields; the item's cached state is not changed
by a correction, so a wrong seal or location is also fixed by recording the right step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.models import User
from casetrail.auth.policy import CasePermission
from casetrail.auth.service import actor_for
from casetrail.cases.access import guard_for
from casetrail.cases.models import Case
from casetrail.cases.service import check_version
from casetrail.core.errors import InvalidTransition, NotFound, ValidationFailed
from casetrail.evidence.access import ItemAccess, open_item
from casetrail.evidence.chain import ChainCheck, check_chain
from casetrail.evidence.events import Handover, Party, append_event, aware_utc, check_purpose
from casetrail.evidence.items import ItemView, ensure_not_final, item_view, record_item_read
from casetrail.evidence.models import CustodyEvent, EvidenceItem
from casetrail.evidence.workflow import CORRECTABLE_FIELDS, EventType

_CUSTODY_ACTION = "custody.record"


def _open_for_custody(session: Session, ctx: RequestContext, number: str, item_number: str) -> ItemAccess:
    return open_item(
        session, ctx, number, item_number, CasePermission.READ, attempted=_CUSTODY_ACTION, lock=True
    )


def _require_custodian(ctx: RequestContext, access: ItemAccess) -> None:
    policy.require_custodian(
        ctx,
        permissions=access.case_access.permissions,
        custodian_user_id=access.item.custodian_user_id,
        item_id=access.item.id,
        item_label=access.label,
        attempted=_CUSTODY_ACTION,
    )


def _current_holder(item: EvidenceItem) -> Party:
    return Party(user_id=item.custodian_user_id, location=item.custodian_location)


def _ensure_not_in_transit(access: ItemAccess) -> None:
    if access.item.pending_receiver_id is not None:
        raise InvalidTransition(
            f"{access.label} is already in transit: the receiver accepts it or the releaser cancels first"
        )


def _receiver(session: Session, case: Case, username: str) -> User:
    """Return the active user ``username`` if they may see the case, which holding its items needs."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        raise ValidationFailed(f"receiver {username!r} not found", {"receiver": "no such active user"})
    receiver = actor_for(user)
    guard = guard_for(session, RequestContext(actor=receiver), case)
    if not policy.can_hold_custody(receiver, guard, policy.supervised_unit_ids(session, receiver)):
        raise ValidationFailed(
            f"{username} cannot receive evidence of case {case.number}: they have no access to the case; "
            "add them to the case first",
            {"receiver": "no access to the case"},
        )
    return user


def release(
    session: Session,
    ctx: RequestContext,
    number: str,
    item_number: str,
    *,
    receiver: str,
    purpose: str,
    handover: Handover,
) -> ItemView:
    """Release an item to the user ``receiver``; it is in transit until they accept it."""
    access = _open_for_custody(session, ctx, number, item_number)
    item = access.item
    _require_custodian(ctx, access)
    ensure_not_final(access)
    _ensure_not_in_transit(access)
    check_purpose(purpose)
    user = _receiver(session, access.case, receiver)
    if user.id == item.custodian_user_id:
        raise ValidationFailed(
            f"{receiver} is already the custodian of {access.label}", {"receiver": "is the custodian"}
        )

    event = append_event(
        session,
        ctx,
        item,
        EventType.RELEASE,
        handover,
        source=_current_holder(item),
        target=Party(user_id=user.id),
        purpose=purpose,
    )
    item.pending_receiver_id = user.id
    item.pending_release_id = event.id
    session.flush()
    return item_view(session, item, access.case.number)


def _pending_release(session: Session, access: ItemAccess) -> CustodyEvent:
    event_id = access.item.pending_release_id
    event = session.get(CustodyEvent, event_id) if event_id else None
    if access.item.pending_receiver_id is None or event is None:
        raise InvalidTransition(f"{access.label} is not in transit: there is no release to accept or cancel")
    return event


def accept(
    session: Session, ctx: RequestContext, number: str, item_number: str, *, handover: Handover
) -> ItemView:
    """Accept an item released to the acting user, who becomes its custodian."""
    access = _open_for_custody(session, ctx, number, item_number)
    item = access.item
    release_event = _pending_release(session, access)
    policy.require_custody_receiver(
        ctx,
        receiver_id=item.pending_receiver_id,
        item_id=item.id,
        item_label=access.label,
        attempted=_CUSTODY_ACTION,
    )
    append_event(
        session,
        ctx,
        item,
        EventType.ACCEPT,
        handover,
        source=Party(user_id=release_event.from_user_id, location=release_event.from_location),
        target=Party(user_id=item.pending_receiver_id),
        purpose=release_event.purpose,
        details={"release_event_id": release_event.id},
    )
    item.custodian_user_id = item.pending_receiver_id
    item.custodian_location = None
    item.pending_receiver_id = None
    item.pending_release_id = None
    session.flush()
    return item_view(session, item, access.case.number)


def cancel_release(
    session: Session, ctx: RequestContext, number: str, item_number: str, *, reason: str
) -> ItemView:
    """Withdraw a release that the receiver has not accepted; the releaser keeps the item."""
    access = _open_for_custody(session, ctx, number, item_number)
    item = access.item
    release_event = _pending_release(session, access)
    policy.require_release_canceller(
        ctx,
        releaser_id=release_event.recorded_by_id,
        item_id=item.id,
        item_label=access.label,
        attempted=_CUSTODY_ACTION,
    )
    if not reason.strip():
        raise ValidationFailed("a reason is required to cancel a release", {"reason": "missing"})
    append_event(
        session,
        ctx,
        item,
        EventType.CANCEL_RELEASE,
        Handover(notes=reason),
        source=Party(user_id=release_event.to_user_id),
        target=_current_holder(item),
        details={"release_event_id": release_event.id},
    )
    item.pending_receiver_id = None
    item.pending_release_id = None
    session.flush()
    return item_view(session, item, access.case.number)


def transfer_to_location(
    session: Session,
    ctx: RequestContext,
    number: str,
    item_number: str,
    *,
    location: str,
    purpose: str,
    handover: Handover,
) -> ItemView:
    """Put an item into a named location, which becomes its custodian and storage location."""
    access = _open_for_custody(session, ctx, number, item_number)
    item = access.item
    _require_custodian(ctx, access)
    ensure_not_final(access)
    _ensure_not_in_transit(access)
    place = location.strip()
    if not place or len(place) > 300:
        raise ValidationFailed("invalid location", {"location": "give a location name of 1-300 characters"})
    if item.custodian_location == place:
        raise ValidationFailed(f"{access.label} is already at {place}", {"location": "current location"})
    append_event(
        session,
        ctx,
        item,
        EventType.TRANSFER_TO_LOCATION,
        handover,
        source=_current_holder(item),
        target=Party(location=place),
        purpose=purpose,
    )
    item.custodian_user_id = None
    item.custodian_location = place
    item.storage_location = place
    session.flush()
    return item_view(session, item, access.case.number)


def change_seal(
    session: Session,
    ctx: RequestContext,
    number: str,
    item_number: str,
    *,
    seal_number: str,
    expected_version: int | None,
    handover: Handover,
) -> ItemView:
    """Record a new seal (after a lab opened the package, for example)."""
    access = _open_for_custody(session, ctx, number, item_number)
    item = access.item
    _require_custodian(ctx, access)
    ensure_not_final(access)
    check_version("evidence item", access.label, item.version, expected_version)
    new_seal = seal_number.strip()
    if not new_seal or len(new_seal) > 100:
        raise ValidationFailed("invalid seal number", {"seal_number": "give 1-100 characters"})
    old_seal = item.seal_number
    given = Handover(handover.occurred_at, handover.location, new_seal, handover.condition, handover.notes)
    append_event(session, ctx, item, EventType.SEAL_CHANGE, given, details={"from": old_seal, "to": new_seal})
    item.seal_number = new_seal
    session.flush()
    return item_view(session, item, access.case.number)


def correct_event(
    session: Session,
    ctx: RequestContext,
    number: str,
    item_number: str,
    *,
    event_id: str,
    corrections: Mapping[str, Any],
    reason: str,
) -> CustodyEvent:
    """Record a correction of event ``event_id``: the fields it should have had, and why."""
    access = _open_for_custody(session, ctx, number, item_number)
    target = session.get(CustodyEvent, event_id)
    if target is None or target.item_id != access.item.id:
        raise NotFound(f"custody event {event_id} not found for {access.label}")
    policy.require_custody_correction(
        ctx,
        permissions=access.case_access.permissions,
        recorder_id=target.recorded_by_id,
        item_id=access.item.id,
        item_label=access.label,
        attempted=_CUSTODY_ACTION,
    )
    if not reason.strip():
        raise ValidationFailed("a reason is required for a correction", {"reason": "missing"})
    return append_event(
        session,
        ctx,
        access.item,
        EventType.CORRECTION,
        Handover(notes=reason),
        corrects_event_id=target.id,
        details={"corrected_seq": target.seq, "fields": _clean_corrections(corrections)},
    )


def _clean_corrections(corrections: Mapping[str, Any]) -> dict[str, Any]:
    if not corrections:
        raise ValidationFailed("a correction restates at least one field", {"corrections": "empty"})
    unknown = set(corrections) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            "these fields cannot be corrected",
            {name: f"correctable: {', '.join(CORRECTABLE_FIELDS)}" for name in sorted(unknown)},
        )
    cleaned: dict[str, Any] = {}
    for name, value in corrections.items():
        if name == "occurred_at":
            if not isinstance(value, datetime):
                raise ValidationFailed("occurred_at must be a date and time", {"occurred_at": "not a time"})
            cleaned[name] = aware_utc(value, "occurred_at").isoformat()
        elif name == "purpose":
            cleaned[name] = check_purpose(str(value))
        else:
            cleaned[name] = str(value).strip()
    return cleaned


def item_events(session: Session, item_id: str) -> list[CustodyEvent]:
    return list(
        session.execute(
            select(CustodyEvent).where(CustodyEvent.item_id == item_id).order_by(CustodyEvent.seq)
        ).scalars()
    )


def custody_log(session: Session, ctx: RequestContext, number: str, item_number: str) -> list[CustodyEvent]:
    access = open_item(session, ctx, number, item_number, CasePermission.READ, attempted="evidence.read")
    record_item_read(session, ctx, access, part="custody_log")
    return item_events(session, access.item.id)


@dataclass(frozen=True)
class CustodyCheck:
    item_number: str
    chain: ChainCheck

    @property
    def ok(self) -> bool:
        return self.chain.ok


def check_item_chain(session: Session, item: EvidenceItem) -> ChainCheck:
    events = item_events(session, item.id)
    documents = [
        {**event.hashed_fields(), "prev_hash": event.prev_hash, "hash": event.hash} for event in events
    ]
    return check_chain(documents, expected_head=item.custody_head)


def verify_custody(session: Session, ctx: RequestContext, number: str, item_number: str) -> CustodyCheck:
    """Recompute the hash chain of an item's custody log against the head stored on the item."""
    access = open_item(session, ctx, number, item_number, CasePermission.READ, attempted="custody.verify")
    result = check_item_chain(session, access.item)
    record(
        session,
        ctx.audit_source,
        AuditAction.CUSTODY_VERIFY,
        object_type="evidence_item",
        object_id=access.item.id,
        case_id=access.case.id,
        outcome="success" if result.ok else "failure",
        detail={"events_checked": result.events_checked, "first_bad_seq": result.first_bad_seq},
    )
    return CustodyCheck(item_number=access.item.number, chain=result)

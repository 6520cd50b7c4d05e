"""The chain of custody of an item: read the log with its hash chain, and record custody steps.

The log is append-only. No route edits or deletes an event: a wrong event is corrected by a
``correction`` event that names it. A handover between people takes two steps: the custodian
releases the item to a named receiver, and it is in transit until that receiver accepts.
"""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from casetrail.api.evidence_items import EVIDENCE_PREFIX, ITEM, ItemNumber
from casetrail.api.openapi import error_responses
from casetrail.api.schemas.evidence import (
    AcceptRequest,
    CancelRequest,
    ChainCheckOut,
    CorrectionRequest,
    CustodyEventOut,
    CustodyLogOut,
    EvidenceItemOut,
    ReleaseRequest,
    SealChange,
    TransferRequest,
)
from casetrail.evidence import custody
from casetrail.evidence.items import user_name
from casetrail.evidence.models import CustodyEvent
from casetrail.http.deps import Ctx, DbSession

router = APIRouter(prefix=EVIDENCE_PREFIX, tags=["evidence custody"], responses=error_responses(404))

_STEP_ERRORS = error_responses(403, 409)


class _Names:
    """Usernames by user id, each looked up once per request."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[str, str] = {}

    def party(self, user_id: str | None, location: str | None) -> str:
        if user_id is None:
            return location or ""
        if user_id not in self.cache:
            self.cache[user_id] = user_name(self.session, user_id)
        return self.cache[user_id]


def _event_out(event: CustodyEvent, names: _Names) -> CustodyEventOut:
    return CustodyEventOut.model_validate(
        {
            **event.hashed_fields(),
            "occurred_at": event.occurred_at,
            "recorded_at": event.recorded_at,
            "from_name": names.party(event.from_user_id, event.from_location),
            "to_name": names.party(event.to_user_id, event.to_location),
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }
    )


@router.get(ITEM + "/custody")
def custody_log(number: str, item_number: ItemNumber, session: DbSession, ctx: Ctx) -> CustodyLogOut:
    """Read the custody log, oldest event first, and recompute its hash chain.

    The read and the chain check are both audited.
    """
    events = custody.custody_log(session, ctx, number, item_number)
    check = custody.verify_custody(session, ctx, number, item_number)
    names = _Names(session)
    chain = check.chain
    return CustodyLogOut(
        item_number=check.item_number,
        events=[_event_out(event, names) for event in events],
        chain=ChainCheckOut(
            ok=chain.ok,
            events_checked=chain.events_checked,
            head_hash=chain.head_hash,
            first_bad_seq=chain.first_bad_seq,
            problem=chain.problem,
        ),
    )


@router.post(ITEM + "/custody/release", responses=_STEP_ERRORS)
def release(
    number: str, item_number: ItemNumber, body: ReleaseRequest, session: DbSession, ctx: Ctx
) -> EvidenceItemOut:
    """Release the item to a user (its custodian does). It is in transit until that user accepts."""
    view = custody.release(
        session,
        ctx,
        number,
        item_number,
        receiver=body.receiver,
        purpose=body.purpose,
        handover=body.handover(body.seal_number),
    )
    return EvidenceItemOut.from_view(view)


@router.post(ITEM + "/custody/accept", responses=_STEP_ERRORS)
def accept(
    number: str, item_number: ItemNumber, body: AcceptRequest, session: DbSession, ctx: Ctx
) -> EvidenceItemOut:
    """Accept an item released to the caller, who becomes its custodian. Anyone else gets 403."""
    view = custody.accept(session, ctx, number, item_number, handover=body.handover(body.seal_number))
    return EvidenceItemOut.from_view(view)


@router.post(ITEM + "/custody/cancel", responses=_STEP_ERRORS)
def cancel_release(
    number: str, item_number: ItemNumber, body: CancelRequest, session: DbSession, ctx: Ctx
) -> EvidenceItemOut:
    """Withdraw a release that is not yet accepted (only the releaser may). The releaser keeps the item."""
    view = custody.cancel_release(session, ctx, number, item_number, reason=body.reason)
    return EvidenceItemOut.from_view(view)


@router.post(ITEM + "/custody/transfer", responses=_STEP_ERRORS)
def transfer_to_location(
    number: str, item_number: ItemNumber, body: TransferRequest, session: DbSession, ctx: Ctx
) -> EvidenceItemOut:
    """Put the item into a location (an evidence room, a locker), which becomes its custodian."""
    view = custody.transfer_to_location(
        session,
        ctx,
        number,
        item_number,
        location=body.to_location,
        purpose=body.purpose,
        handover=body.handover(body.seal_number),
    )
    return EvidenceItemOut.from_view(view)


@router.post(ITEM + "/custody/seal", responses=_STEP_ERRORS)
def change_seal(
    number: str, item_number: ItemNumber, body: SealChange, session: DbSession, ctx: Ctx
) -> EvidenceItemOut:
    """Record a new seal, for example after a lab opened the package (the custodian)."""
    view = custody.change_seal(
        session,
        ctx,
        number,
        item_number,
        seal_number=body.seal_number,
        expected_version=body.expected_version,
        handover=body.handover(),
    )
    return EvidenceItemOut.from_view(view)


@router.post(ITEM + "/custody/corrections", status_code=status.HTTP_201_CREATED, responses=_STEP_ERRORS)
def correct_event(
    number: str, item_number: ItemNumber, body: CorrectionRequest, session: DbSession, ctx: Ctx
) -> CustodyEventOut:
    """Append a correction of an earlier event: the fields it should have stated, and why.

    The corrected event stays as it was recorded.
    """
    event = custody.correct_event(
        session,
        ctx,
        number,
        item_number,
        event_id=body.event_id,
        corrections=body.corrections.model_dump(exclude_unset=True),
        reason=body.reason,
    )
    return _event_out(event, _Names(session))

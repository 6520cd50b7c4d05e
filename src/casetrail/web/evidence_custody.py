"""Forms of the item page that change an item: custody steps, corrections, details and entity links.

Each form posts here and redirects back to the item page. A step by the wrong person (accepting
an item released to someone else, say) is rejected by the service with a 403 page that links
back to the item.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse

from casetrail.evidence import custody, items
from casetrail.evidence.events import Handover
from casetrail.http.deps import Ctx, DbSession
from casetrail.web.evidence_files import item_url
from casetrail.web.evidence_forms import handover_form, optional_text, optional_time, required_time
from casetrail.web.forms import see_other

router = APIRouter()

HandoverForm = Annotated[Handover, Depends(handover_form)]
_ITEM = "/cases/{number}/evidence/{item_number:path}"


@router.post(f"{_ITEM}/release")
def release(
    *,
    number: str,
    item_number: str,
    session: DbSession,
    ctx: Ctx,
    handover: HandoverForm,
    receiver: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
) -> RedirectResponse:
    custody.release(
        session, ctx, number, item_number, receiver=receiver.strip(), purpose=purpose, handover=handover
    )
    notice = "Item released. It is in transit until the receiver accepts it."
    return see_other(item_url(number, item_number, "#custody"), notice)


@router.post(f"{_ITEM}/accept")
def accept(
    *, number: str, item_number: str, session: DbSession, ctx: Ctx, handover: HandoverForm
) -> RedirectResponse:
    custody.accept(session, ctx, number, item_number, handover=handover)
    return see_other(item_url(number, item_number, "#custody"), "You accepted the item and hold it now.")


@router.post(f"{_ITEM}/cancel-release")
def cancel_release(
    *, number: str, item_number: str, session: DbSession, ctx: Ctx, reason: Annotated[str, Form()] = ""
) -> RedirectResponse:
    custody.cancel_release(session, ctx, number, item_number, reason=reason)
    return see_other(item_url(number, item_number, "#custody"), "Release cancelled.")


@router.post(f"{_ITEM}/transfer")
def transfer(
    *,
    number: str,
    item_number: str,
    session: DbSession,
    ctx: Ctx,
    handover: HandoverForm,
    to_location: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "storage",
) -> RedirectResponse:
    custody.transfer_to_location(
        session, ctx, number, item_number, location=to_location, purpose=purpose, handover=handover
    )
    return see_other(item_url(number, item_number, "#custody"), "Item put into the location.")


@router.post(f"{_ITEM}/seal")
def change_seal(
    *,
    number: str,
    item_number: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: Annotated[int, Form()],
    handover: HandoverForm,
    new_seal_number: Annotated[str, Form()] = "",
) -> RedirectResponse:
    custody.change_seal(
        session,
        ctx,
        number,
        item_number,
        seal_number=new_seal_number,
        expected_version=expected_version,
        handover=handover,
    )
    return see_other(item_url(number, item_number, "#custody"), "Seal number changed.")


@router.post(f"{_ITEM}/status")
def change_status(
    *,
    number: str,
    item_number: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: Annotated[int, Form()],
    handover: HandoverForm,
    to_status: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    view = items.change_status(
        session,
        ctx,
        number,
        item_number,
        to_status=to_status,
        reason=reason,
        expected_version=expected_version,
        handover=handover,
    )
    status = view.item.status.replace("_", " ")
    return see_other(item_url(number, item_number, "#custody"), f"Status changed to {status}.")


@router.post(f"{_ITEM}/corrections")
def correct_event(
    *,
    number: str,
    item_number: str,
    session: DbSession,
    ctx: Ctx,
    event_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    occurred_at: Annotated[str, Form()] = "",
    occurred_at_offset: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    seal_number: Annotated[str, Form()] = "",
    condition: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
) -> RedirectResponse:
    # Only filled-in fields are restated, so an empty field leaves the event's value as recorded.
    restated: dict[str, Any] = {
        name: value.strip()
        for name, value in (
            ("location", location),
            ("seal_number", seal_number),
            ("condition", condition),
            ("notes", notes),
            ("purpose", purpose),
        )
        if value.strip()
    }
    when = optional_time(occurred_at, occurred_at_offset, "occurred_at")
    if when is not None:
        restated["occurred_at"] = when
    event = custody.correct_event(
        session, ctx, number, item_number, event_id=event_id, corrections=restated, reason=reason
    )
    return see_other(item_url(number, item_number, f"#event-{event.seq}"), "Correction recorded.")


@router.post(f"{_ITEM}/details")
def update_details(
    *,
    number: str,
    item_number: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: Annotated[int, Form()],
    description: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    obtained_method: Annotated[str, Form()] = "",
    obtained_at: Annotated[str, Form()] = "",
    obtained_at_offset: Annotated[str, Form()] = "",
    obtained_place: Annotated[str, Form()] = "",
    obtained_by: Annotated[str, Form()] = "",
    obtained_from_entity_id: Annotated[str, Form()] = "",
    storage_location: Annotated[str, Form()] = "",
) -> RedirectResponse:
    changes = {
        "description": description,
        "category": category,
        "obtained_method": obtained_method,
        "obtained_at": required_time(obtained_at, obtained_at_offset, "obtained_at"),
        "obtained_place": obtained_place,
        "obtained_by": obtained_by,
        "obtained_from_entity_id": optional_text(obtained_from_entity_id),
        "storage_location": storage_location,
    }
    items.update_item(session, ctx, number, item_number, expected_version=expected_version, changes=changes)
    return see_other(item_url(number, item_number), "Item details saved.")


@router.post(f"{_ITEM}/entities")
def link_entity(
    *, number: str, item_number: str, session: DbSession, ctx: Ctx, entity_id: Annotated[str, Form()] = ""
) -> RedirectResponse:
    items.link_entity(session, ctx, number, item_number, entity_id.strip())
    return see_other(item_url(number, item_number, "#entities"), "Entity linked.")


@router.post(f"{_ITEM}/entities/{{entity_id}}/remove")
def unlink_entity(
    *, number: str, item_number: str, entity_id: str, session: DbSession, ctx: Ctx
) -> RedirectResponse:
    items.unlink_entity(session, ctx, number, item_number, entity_id)
    return see_other(item_url(number, item_number, "#entities"), "Entity unlinked.")

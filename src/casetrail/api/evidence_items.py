"""Evidence items of a case: register, list, read, edit, change status, link to entities.

Item numbers may contain '/', so item paths take the rest of the path up to a known sub-resource
(``ITEM``). Routes with a sub-resource are registered before the bare item routes, so a path such
as ``.../evidence/7/custody`` reads the custody log of item ``7``. An item whose number itself
ends in a sub-resource name (``7/custody``) is therefore reachable only through the list.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from sqlalchemy.orm import Session

from casetrail.api.openapi import error_responses
from casetrail.api.schemas.evidence import (
    EntityLinkCreate,
    EntityLinkOut,
    EvidenceFileOut,
    EvidenceItemDetail,
    EvidenceItemOut,
    EvidenceItemPage,
    ItemCreate,
    ItemStatusChange,
    ItemStatusChangeOut,
    ItemUpdate,
)
from casetrail.evidence import custody, files, items
from casetrail.evidence.items import ItemView, NewItem
from casetrail.evidence.models import CustodyEvent
from casetrail.evidence.workflow import Category, EventType, ItemStatus, allowed_next
from casetrail.http.deps import Ctx, DbSession

EVIDENCE_PREFIX = "/cases/{number}/evidence"
ITEM = "/{item_number:path}"
ItemNumber = Annotated[
    str, Path(description="Item number, e.g. E-0001. A number that contains '/' spans several segments.")
]
MAX_PAGE = 500

router = APIRouter(prefix=EVIDENCE_PREFIX, tags=["evidence"], responses=error_responses(404))


@router.get("")
def list_items(
    *,
    number: str,
    session: DbSession,
    ctx: Ctx,
    status_filter: Annotated[ItemStatus | None, Query(alias="status")] = None,
    category: Category | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EvidenceItemPage:
    """List the items of a case by item number."""
    # NOTE: the service returns every matching item, and its audit record lists all of them,
    # not only this page. The page is cut here.
    views = items.list_items(session, ctx, number, status=status_filter, category=category)
    page = views[offset : offset + limit]
    return EvidenceItemPage(items=[EvidenceItemOut.from_view(view) for view in page], total=len(views))


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409))
def create_item(number: str, body: ItemCreate, session: DbSession, ctx: Ctx) -> EvidenceItemOut:
    """Register an item. Its intake becomes the first event of its custody log."""
    new = NewItem(
        description=body.description,
        category=body.category,
        obtained_at=body.obtained_at,
        obtained_method=body.obtained_method,
        obtained_place=body.obtained_place,
        obtained_by=body.obtained_by,
        obtained_from_entity_id=body.obtained_from_entity_id,
        storage_location=body.storage_location,
        seal_number=body.seal_number,
        number=body.number,
        custodian_location=body.custodian_location,
        condition=body.condition,
        notes=body.notes,
    )
    view = items.create_item(session, ctx, number, new, entity_ids=tuple(body.entity_ids))
    return EvidenceItemOut.from_view(view)


@router.post(ITEM + "/status", responses=error_responses(403, 409))
def change_status(
    number: str, item_number: ItemNumber, body: ItemStatusChange, session: DbSession, ctx: Ctx
) -> EvidenceItemOut:
    """Move the item through the status workflow (its custodian, or a case writer for a location)."""
    view = items.change_status(
        session,
        ctx,
        number,
        item_number,
        to_status=body.status,
        reason=body.reason,
        expected_version=body.expected_version,
        handover=body.handover(),
    )
    return EvidenceItemOut.from_view(view)


@router.post(ITEM + "/entities", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409))
def link_entity(
    number: str, item_number: ItemNumber, body: EntityLinkCreate, session: DbSession, ctx: Ctx
) -> EntityLinkOut:
    """Link the item to an entity of the case."""
    items.link_entity(session, ctx, number, item_number, body.entity_id)
    return EntityLinkOut(item_number=item_number, entity_id=body.entity_id)


@router.delete(
    ITEM + "/entities/{entity_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 409),
)
def unlink_entity(number: str, item_number: ItemNumber, entity_id: str, session: DbSession, ctx: Ctx) -> None:
    """Remove the link between the item and an entity."""
    items.unlink_entity(session, ctx, number, item_number, entity_id)


def status_history(events: list[CustodyEvent]) -> list[ItemStatusChangeOut]:
    """Return the status changes recorded in a custody log, oldest first."""
    return [
        ItemStatusChangeOut(
            seq=event.seq,
            from_status=event.details.get("from"),
            to_status=event.details["to"],
            reason=event.notes,
            occurred_at=event.occurred_at,
            recorded_by=event.recorded_by,
            recorded_at=event.recorded_at,
        )
        for event in events
        if event.event_type == EventType.STATUS_CHANGE
    ]


def _detail(session: Session, view: ItemView) -> EvidenceItemDetail:
    events = custody.item_events(session, view.item.id)
    stored = files.item_files(session, view.item.id)
    return EvidenceItemDetail(
        **EvidenceItemOut.from_view(view).model_dump(),
        allowed_next_statuses=[ItemStatus(name) for name in allowed_next(view.item.status)],
        files=[EvidenceFileOut.model_validate(evidence_file) for evidence_file in stored],
        status_history=status_history(events),
    )


# The bare item routes come last: their path parameter would also match every sub-resource path.


@router.get(ITEM)
def get_item(number: str, item_number: ItemNumber, session: DbSession, ctx: Ctx) -> EvidenceItemDetail:
    """Read an item with its holder, files and status history. The read is audited."""
    view = items.get_item(session, ctx, number, item_number)
    return _detail(session, view)


@router.patch(ITEM, responses=error_responses(403, 409))
def update_item(
    number: str, item_number: ItemNumber, body: ItemUpdate, session: DbSession, ctx: Ctx
) -> EvidenceItemOut:
    """Change descriptive fields (case writers). A closed case takes no edits."""
    changes = body.model_dump(exclude_unset=True, exclude={"expected_version"})
    view = items.update_item(
        session, ctx, number, item_number, expected_version=body.expected_version, changes=changes
    )
    return EvidenceItemOut.from_view(view)

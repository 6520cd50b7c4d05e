"""Evidence items: register, read, list, edit, change status and link to the case's entities.

Items follow the policy of their case: reading needs READ on the case, registering and editing
need WRITE, and a user who may not see the case gets "not found". A closed or archived case
takes no new items and no edits. Custody (handovers, status changes) goes on, because items
are returned or destroyed after a case closes.
"""

from __future__ import annotations

import re
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
from casetrail.cases.access import ensure_not_frozen, open_case
from casetrail.cases.models import Case
from casetrail.cases.service import check_version
from casetrail.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from casetrail.db.outbox import emit
from casetrail.entities.models import CaseEntity
from casetrail.evidence.access import ItemAccess, open_item
from casetrail.evidence.events import Handover, Party, append_event, aware_utc
from casetrail.evidence.models import EvidenceEntityLink, EvidenceItem
from casetrail.evidence.workflow import FINAL, TRANSITIONS, Category, EventType, ItemStatus

ITEM_NUMBER_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./_-]{0,31}$")
AUTO_NUMBER_PREFIX = "E-"
MAX_DESCRIPTION_LENGTH = 5_000
EDITABLE_FIELDS = (
    "description",
    "category",
    "obtained_method",
    "obtained_at",
    "obtained_place",
    "obtained_by",
    "obtained_from_entity_id",
    "storage_location",
)
_TEXT_LIMITS = {"obtained_method": 300, "obtained_place": 300, "obtained_by": 200, "storage_location": 300}


@dataclass(frozen=True)
class Holder:
    """The custodian of an item: a user (``user_id`` set) or a named location."""

    user_id: str | None
    location: str | None
    name: str


@dataclass(frozen=True)
class ItemView:
    item: EvidenceItem
    case_number: str
    custodian: Holder
    pending_receiver: Holder | None
    entity_ids: list[str]

    @property
    def in_transit(self) -> bool:
        """True between a release and its acceptance; the custodian is still the releaser."""
        return self.pending_receiver is not None


@dataclass(frozen=True)
class NewItem:
    """The facts recorded when an item is registered."""

    description: str
    category: str
    obtained_at: datetime
    obtained_method: str = ""
    obtained_place: str = ""
    obtained_by: str | None = None
    """Name of the person who obtained the item; None means the person registering it."""
    obtained_from_entity_id: str | None = None
    storage_location: str = ""
    seal_number: str = ""
    number: str | None = None
    """The item number; None means the next ``E-NNNN`` of the case."""
    custodian_location: str | None = None
    """Location that keeps the item from intake on; None makes the registering user its custodian."""
    condition: str = ""
    notes: str = ""


def user_name(session: Session, user_id: str | None) -> str:
    if user_id is None:
        return ""
    user = session.get(User, user_id)
    return user.username if user else user_id


def item_view(session: Session, item: EvidenceItem, case_number: str) -> ItemView:
    custodian = Holder(
        item.custodian_user_id,
        item.custodian_location,
        user_name(session, item.custodian_user_id) or (item.custodian_location or ""),
    )
    pending = None
    if item.pending_receiver_id is not None:
        pending = Holder(item.pending_receiver_id, None, user_name(session, item.pending_receiver_id))
    links = session.execute(
        select(EvidenceEntityLink.entity_id)
        .where(EvidenceEntityLink.item_id == item.id)
        .order_by(EvidenceEntityLink.entity_id)
    ).scalars()
    return ItemView(item, case_number, custodian, pending, list(links))


# -- validation -----------------------------------------------------------------------------------


def _check_text_fields(fields: dict[str, Any], errors: dict[str, str]) -> None:
    if "description" in fields:
        description = str(fields["description"] or "").strip()
        if not description:
            errors["description"] = "missing: describe the item"
        elif len(description) > MAX_DESCRIPTION_LENGTH:
            errors["description"] = f"longer than {MAX_DESCRIPTION_LENGTH} characters"
    for name, limit in _TEXT_LIMITS.items():
        if name in fields and len(str(fields[name] or "")) > limit:
            errors[name] = f"longer than {limit} characters"
    if "obtained_by" in fields and not str(fields["obtained_by"] or "").strip():
        errors["obtained_by"] = "missing: name who obtained the item"


def _validate_fields(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    _check_text_fields(fields, errors)
    if "category" in fields and fields["category"] not in set(Category):
        errors["category"] = f"unknown category {fields['category']!r}: choose one of {', '.join(Category)}"
    obtained_at = fields.get("obtained_at")
    if "obtained_at" in fields and not isinstance(obtained_at, datetime):
        errors["obtained_at"] = "missing or not a date and time"
    elif isinstance(obtained_at, datetime) and obtained_at.tzinfo is None:
        errors["obtained_at"] = "give a time with a UTC offset"
    if errors:
        raise ValidationFailed("invalid evidence item", errors)


def _check_entity(session: Session, case: Case, entity_id: str | None, field: str) -> None:
    if entity_id is None:
        return
    row = session.get(CaseEntity, (case.id, entity_id))
    if row is None:
        raise ValidationFailed(
            f"entity {entity_id} is not in case {case.number}", {field: "unknown entity in this case"}
        )
    if row.merged_into is not None:
        raise ValidationFailed(
            f"entity {entity_id} was merged into {row.merged_into}: refer to that entity",
            {field: "merged entity"},
        )


def _next_item_number(session: Session, case: Case) -> str:
    numbers = session.execute(
        select(EvidenceItem.number).where(
            EvidenceItem.case_id == case.id, EvidenceItem.number.like(f"{AUTO_NUMBER_PREFIX}%")
        )
    ).scalars()
    highest = 0
    for number in numbers:
        suffix = number[len(AUTO_NUMBER_PREFIX) :]
        if suffix.isdigit():
            highest = max(highest, int(suffix))
    return f"{AUTO_NUMBER_PREFIX}{highest + 1:04d}"


def _item_number(session: Session, case: Case, requested: str | None) -> str:
    if requested is None:
        return _next_item_number(session, case)
    number = requested.strip()
    if not ITEM_NUMBER_PATTERN.match(number):
        raise ValidationFailed(
            f"invalid item number {requested!r}",
            {"number": "use 1-32 letters, digits, '.', '/', '_' or '-', starting with a letter or digit"},
        )
    taken = session.execute(
        select(EvidenceItem.id).where(EvidenceItem.case_id == case.id, EvidenceItem.number == number)
    ).first()
    if taken:
        raise Conflict(f"item number {number} is already used in case {case.number}")
    return number


# -- services -------------------------------------------------------------------------------------


def create_item(
    session: Session, ctx: RequestContext, number: str, new: NewItem, *, entity_ids: tuple[str, ...] = ()
) -> ItemView:
    """Register an item in case ``number`` and record its intake as the first custody event."""
    # The case row lock serialises automatic numbering within the case.
    access = open_case(session, ctx, number, CasePermission.WRITE, "evidence.create", lock=True)
    case = access.case
    ensure_not_frozen(case)
    obtained_by = new.obtained_by if new.obtained_by is not None else ctx.actor.username
    _validate_fields(
        {
            "description": new.description,
            "category": new.category,
            "obtained_at": new.obtained_at,
            "obtained_method": new.obtained_method,
            "obtained_place": new.obtained_place,
            "obtained_by": obtained_by,
            "storage_location": new.storage_location,
        }
    )
    _check_entity(session, case, new.obtained_from_entity_id, "obtained_from_entity_id")
    for entity_id in entity_ids:
        _check_entity(session, case, entity_id, "entity_ids")
    custodian = _intake_custodian(ctx, new)

    item = EvidenceItem(
        case_id=case.id,
        number=_item_number(session, case, new.number),
        description=new.description.strip(),
        category=new.category,
        obtained_method=new.obtained_method.strip(),
        obtained_at=aware_utc(new.obtained_at, "obtained_at"),
        obtained_place=new.obtained_place.strip(),
        obtained_by=obtained_by.strip(),
        obtained_from_entity_id=new.obtained_from_entity_id,
        storage_location=new.storage_location.strip(),
        seal_number=new.seal_number.strip(),
        status=ItemStatus.IN_CUSTODY,
        custodian_user_id=custodian.user_id,
        custodian_location=custodian.location,
        created_by=ctx.actor.username,
    )
    session.add(item)
    session.flush()
    for entity_id in dict.fromkeys(entity_ids):
        session.add(EvidenceEntityLink(item_id=item.id, entity_id=entity_id, added_by=ctx.actor.username))
    append_event(
        session,
        ctx,
        item,
        EventType.INTAKE,
        Handover(
            occurred_at=new.obtained_at,
            location=new.obtained_place,
            condition=new.condition,
            notes=new.notes,
        ),
        target=custodian,
        details={"obtained_from_entity_id": new.obtained_from_entity_id},
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.EVIDENCE_CREATE,
        object_type="evidence_item",
        object_id=item.id,
        case_id=case.id,
        detail={"number": item.number, "category": item.category},
    )
    emit(session, object_type="evidence_item", object_id=item.id, operation="create", case_id=case.id)
    return item_view(session, item, case.number)


def _intake_custodian(ctx: RequestContext, new: NewItem) -> Party:
    if new.custodian_location is not None and new.custodian_location.strip():
        return Party(location=new.custodian_location.strip())
    if ctx.actor.user_id is None:
        raise ValidationFailed(
            "name the location that holds the item: the local operator cannot hold evidence",
            {"custodian_location": "missing"},
        )
    return Party(user_id=ctx.actor.user_id)


def get_item(session: Session, ctx: RequestContext, number: str, item_number: str) -> ItemView:
    access = open_item(session, ctx, number, item_number, CasePermission.READ, attempted="evidence.read")
    record_item_read(session, ctx, access)
    return item_view(session, access.item, access.case.number)


def record_item_read(session: Session, ctx: RequestContext, access: ItemAccess, part: str = "item") -> None:
    record(
        session,
        ctx.audit_source,
        AuditAction.EVIDENCE_READ,
        object_type="evidence_item",
        object_id=access.item.id,
        case_id=access.case.id,
        detail={"part": part},
    )


def list_items(
    session: Session,
    ctx: RequestContext,
    number: str,
    *,
    status: str | None = None,
    category: str | None = None,
) -> list[ItemView]:
    access = open_case(session, ctx, number, CasePermission.READ, "evidence.list")
    query = select(EvidenceItem).where(EvidenceItem.case_id == access.case.id)
    if status:
        query = query.where(EvidenceItem.status == status)
    if category:
        query = query.where(EvidenceItem.category == category)
    items = list(session.execute(query.order_by(EvidenceItem.number)).scalars())
    record(
        session,
        ctx.audit_source,
        AuditAction.EVIDENCE_LIST,
        object_type="evidence_item",
        case_id=access.case.id,
        detail={"returned": [item.id for item in items]},
    )
    return [item_view(session, item, access.case.number) for item in items]


def update_item(
    session: Session,
    ctx: RequestContext,
    number: str,
    item_number: str,
    *,
    expected_version: int | None,
    changes: dict[str, Any],
) -> ItemView:
    """Change descriptive fields; seals, status and custody change through custody events."""
    access = open_item(
        session, ctx, number, item_number, CasePermission.WRITE, attempted="evidence.update", lock=True
    )
    ensure_not_frozen(access.case)
    item = access.item
    check_version("evidence item", access.label, item.version, expected_version)

    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            "unknown fields",
            {name: f"not editable here; editable: {', '.join(EDITABLE_FIELDS)}" for name in sorted(unknown)},
        )
    _validate_fields(changes)
    if "obtained_from_entity_id" in changes:
        _check_entity(session, access.case, changes["obtained_from_entity_id"], "obtained_from_entity_id")
    for name, value in changes.items():
        if name == "obtained_at":
            item.obtained_at = aware_utc(value, "obtained_at")
        else:
            setattr(item, name, value.strip() if isinstance(value, str) else value)
    session.flush()

    record(
        session,
        ctx.audit_source,
        AuditAction.EVIDENCE_UPDATE,
        object_type="evidence_item",
        object_id=item.id,
        case_id=access.case.id,
        detail={"fields": sorted(changes)},
    )
    emit(
        session,
        object_type="evidence_item",
        object_id=item.id,
        operation="update",
        case_id=access.case.id,
        payload={"fields": sorted(changes)},
    )
    return item_view(session, item, access.case.number)


def change_status(
    session: Session,
    ctx: RequestContext,
    number: str,
    item_number: str,
    *,
    to_status: str,
    reason: str,
    expected_version: int | None,
    handover: Handover | None = None,
) -> ItemView:
    """Move an item through the status workflow (see ``workflow``); the custodian records it."""
    access = open_item(
        session, ctx, number, item_number, CasePermission.READ, attempted="evidence.status_change", lock=True
    )
    item = access.item
    policy.require_custodian(
        ctx,
        permissions=access.case_access.permissions,
        custodian_user_id=item.custodian_user_id,
        item_id=item.id,
        item_label=access.label,
        attempted="evidence.status_change",
    )
    check_version("evidence item", access.label, item.version, expected_version)
    if not reason or not reason.strip():
        raise ValidationFailed("a reason is required for a status change", {"reason": "missing"})
    try:
        target = ItemStatus(to_status)
    except ValueError:
        raise ValidationFailed(
            f"unknown status {to_status!r}", {"status": f"choose one of {', '.join(ItemStatus)}"}
        ) from None
    current = ItemStatus(item.status)
    _check_transition(access, current, target)

    item.status = target
    given = handover or Handover()
    append_event(
        session,
        ctx,
        item,
        EventType.STATUS_CHANGE,
        Handover(given.occurred_at, given.location, given.seal_number, given.condition, reason),
        details={"from": current.value, "to": target.value},
    )
    emit(
        session,
        object_type="evidence_item",
        object_id=item.id,
        operation="update",
        case_id=access.case.id,
        payload={"fields": ["status"]},
    )
    return item_view(session, item, access.case.number)


def _check_transition(access: ItemAccess, current: ItemStatus, target: ItemStatus) -> None:
    if access.item.pending_receiver_id is not None:
        raise InvalidTransition(
            f"{access.label} is in transit: the receiver accepts it or the releaser cancels the "
            "release before its status changes"
        )
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none, the status is final"
        raise InvalidTransition(f"{access.label} cannot move from {current} to {target}; allowed: {allowed}")


def ensure_not_final(access: ItemAccess) -> None:
    if ItemStatus(access.item.status) in FINAL:
        raise InvalidTransition(
            f"{access.label} is {access.item.status}: its custody has ended; only corrections are recorded"
        )


def link_entity(session: Session, ctx: RequestContext, number: str, item_number: str, entity_id: str) -> None:
    access = open_item(
        session, ctx, number, item_number, CasePermission.WRITE, attempted="evidence.link_entity"
    )
    ensure_not_frozen(access.case)
    _check_entity(session, access.case, entity_id, "entity_id")
    if session.get(EvidenceEntityLink, (access.item.id, entity_id)) is not None:
        raise Conflict(f"{access.label} is already linked to entity {entity_id}")
    session.add(EvidenceEntityLink(item_id=access.item.id, entity_id=entity_id, added_by=ctx.actor.username))
    session.flush()
    _record_link(session, ctx, access, entity_id, AuditAction.EVIDENCE_LINK)


def unlink_entity(
    session: Session, ctx: RequestContext, number: str, item_number: str, entity_id: str
) -> None:
    access = open_item(
        session, ctx, number, item_number, CasePermission.WRITE, attempted="evidence.unlink_entity"
    )
    ensure_not_frozen(access.case)
    link = session.get(EvidenceEntityLink, (access.item.id, entity_id))
    if link is None:
        raise NotFound(f"{access.label} is not linked to entity {entity_id}")
    session.delete(link)
    session.flush()
    _record_link(session, ctx, access, entity_id, AuditAction.EVIDENCE_UNLINK)


def _record_link(
    session: Session, ctx: RequestContext, access: ItemAccess, entity_id: str, action: AuditAction
) -> None:
    record(
        session,
        ctx.audit_source,
        action,
        object_type="evidence_item",
        object_id=access.item.id,
        case_id=access.case.id,
        detail={"entity_id": entity_id},
    )
    emit(
        session,
        object_type="evidence_item",
        object_id=access.item.id,
        operation="update",
        case_id=access.case.id,
        payload={"fields": ["entities"]},
    )

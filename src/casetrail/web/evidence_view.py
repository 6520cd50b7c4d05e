"""Data of the evidence pages, gathered through the evidence services so that each read is audited.

The item page offers a custody form only to the person the policy lets act: the custodian
releases, the named receiver accepts, the releaser cancels. The offers come from the policy
functions themselves, and the services check the same rules again when a form is posted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.cases import members as member_service
from casetrail.cases import service as case_service
from casetrail.cases.access import CaseAccess
from casetrail.core.errors import PermissionDenied
from casetrail.entities import service as entity_service
from casetrail.entities.models import CaseEntity
from casetrail.evidence import custody, files, items
from casetrail.evidence.custody import CustodyCheck
from casetrail.evidence.items import ItemView
from casetrail.evidence.models import CustodyEvent, EvidenceFile
from casetrail.evidence.workflow import (
    CORRECTABLE_FIELDS,
    FINAL,
    Category,
    EventType,
    FileKind,
    ItemStatus,
    Purpose,
    allowed_next,
)
from casetrail.web.case_view import Capabilities, case_banner
from casetrail.web.templating import format_datetime

# Entities offered in the "obtained from" and "link an entity" choices.
ENTITY_CHOICES = 500

EVENT_LABELS = {
    EventType.INTAKE: "Intake",
    EventType.RELEASE: "Released",
    EventType.ACCEPT: "Accepted",
    EventType.CANCEL_RELEASE: "Release cancelled",
    EventType.TRANSFER_TO_LOCATION: "Put into a location",
    EventType.STATUS_CHANGE: "Status changed",
    EventType.SEAL_CHANGE: "Seal changed",
    EventType.FILE_ADDED: "File added",
    EventType.CORRECTION: "Correction",
}


@dataclass(frozen=True)
class TimelineRow:
    """One custody event with the names of its parties and the events it relates to."""

    event: CustodyEvent
    label: str
    from_name: str
    to_name: str
    change: tuple[str, str] | None
    """(from, to) of a status or seal change."""
    file: dict[str, Any] | None
    """The file a ``file_added`` event recorded: name, kind, SHA-256 and size."""
    corrected_fields: list[tuple[str, str]]
    corrects_seq: int | None
    corrected_by: list[int]
    release_seq: int | None
    """The release that an ``accept`` or ``cancel_release`` event refers to."""


@dataclass(frozen=True)
class FileNode:
    """An original file and the copies derived from it (thumbnails, extracted text, redactions)."""

    file: EvidenceFile
    copies: list[EvidenceFile]


@dataclass(frozen=True)
class ItemOffers:
    """Forms the item page offers to the viewer."""

    hand_over: bool
    change_seal: bool
    accept: bool
    cancel_release: bool
    correctable_seqs: tuple[int, ...]
    """Events the viewer may correct: every event for those who may change the case, else their own."""
    write: bool


@dataclass
class ItemPage:
    access: CaseAccess
    view: ItemView
    timeline: list[TimelineRow]
    chain: CustodyCheck
    files: list[FileNode]
    originals: list[EvidenceFile]
    captions: dict[str, str]
    offers: ItemOffers
    transitions: list[str]
    receivers: list[member_service.MemberView]
    entity_choices: list[CaseEntity]
    options: dict[str, list[str]] = field(default_factory=dict)

    def context(self) -> dict[str, Any]:
        item = self.view.item
        return {
            **case_banner(self.access),
            "page": self,
            "view": self.view,
            "item": item,
            "item_url": f"/cases/{self.access.case.number}/evidence/{item.number}",
            "options": self.options,
        }


def evidence_options() -> dict[str, list[str]]:
    return {
        "categories": [category.value for category in Category],
        "statuses": [status.value for status in ItemStatus],
        "purposes": [purpose.value for purpose in Purpose],
        "file_kinds": [kind.value for kind in FileKind],
        "correctable": list(CORRECTABLE_FIELDS),
    }


def entity_choices(session: Session, ctx: RequestContext, number: str) -> list[CaseEntity]:
    """Return the people, organisations and things of the case that an item can name."""
    return entity_service.list_entities(session, ctx, number, limit=ENTITY_CHOICES).items


def build_register(session: Session, ctx: RequestContext, number: str, status: str) -> dict[str, Any]:
    access = case_service.get_case(session, ctx, number)
    rows = items.list_items(session, ctx, number, status=status or None)
    can = Capabilities.of(access)
    return {
        **case_banner(access),
        "rows": rows,
        "status_filter": status,
        "options": evidence_options(),
        "entity_choices": entity_choices(session, ctx, number) if can.write else [],
        "can_export": access.can(policy.CasePermission.WRITE),
    }


def build_item_page(session: Session, ctx: RequestContext, number: str, item_number: str) -> ItemPage:
    access = case_service.get_case(session, ctx, number)
    view = items.get_item(session, ctx, number, item_number)
    events = custody.custody_log(session, ctx, number, item_number)
    chain = custody.verify_custody(session, ctx, number, item_number)
    item_files = files.list_files(session, ctx, number, item_number)
    offers = _offers(ctx, access, view, events)
    referenced = [*view.entity_ids, *filter(None, [view.item.obtained_from_entity_id])]
    linked = set(view.entity_ids)
    choices = entity_choices(session, ctx, number) if offers.write else []
    return ItemPage(
        access=access,
        view=view,
        timeline=timeline(session, events),
        chain=chain,
        files=file_tree(item_files),
        originals=[entry for entry in item_files if entry.kind == FileKind.ORIGINAL],
        captions=entity_service.caption_map(session, access.case, referenced),
        offers=offers,
        transitions=allowed_next(view.item.status),
        receivers=member_service.list_members(session, ctx, number) if offers.hand_over else [],
        entity_choices=[entity for entity in choices if entity.entity_id not in linked],
        options=evidence_options(),
    )


def _permits(check: Callable[[], None]) -> bool:
    try:
        check()
    except PermissionDenied:
        return False
    return True


def _offers(
    ctx: RequestContext, access: CaseAccess, view: ItemView, events: list[CustodyEvent]
) -> ItemOffers:
    item = view.item
    label = f"{item.number} of case {access.case.number}"
    releaser_id = next(
        (event.recorded_by_id for event in events if event.id == item.pending_release_id), None
    )

    def custodian() -> None:
        policy.require_custodian(
            ctx,
            permissions=access.permissions,
            custodian_user_id=item.custodian_user_id,
            item_id=item.id,
            item_label=label,
            attempted="",
        )

    def receiver() -> None:
        policy.require_custody_receiver(
            ctx, receiver_id=item.pending_receiver_id, item_id=item.id, item_label=label, attempted=""
        )

    def releaser() -> None:
        policy.require_release_canceller(
            ctx, releaser_id=releaser_id, item_id=item.id, item_label=label, attempted=""
        )

    def may_correct(event: CustodyEvent) -> bool:
        return _permits(
            lambda: policy.require_custody_correction(
                ctx,
                permissions=access.permissions,
                recorder_id=event.recorded_by_id,
                item_id=item.id,
                item_label=label,
                attempted="",
            )
        )

    active = ItemStatus(item.status) not in FINAL
    is_custodian = _permits(custodian)
    return ItemOffers(
        hand_over=is_custodian and active and not view.in_transit,
        change_seal=is_custodian and active,
        accept=view.in_transit and _permits(receiver),
        cancel_release=view.in_transit and _permits(releaser),
        correctable_seqs=tuple(event.seq for event in events if may_correct(event)),
        write=Capabilities.of(access).write,
    )


class _Names:
    """Usernames by user id, looked up once each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[str, str] = {}

    def party(self, user_id: str | None, location: str | None) -> str:
        if user_id is None:
            return location or ""
        if user_id not in self.cache:
            self.cache[user_id] = items.user_name(self.session, user_id)
        return self.cache[user_id]


def timeline(session: Session, events: list[CustodyEvent]) -> list[TimelineRow]:
    """Describe each event in order, with links between corrections and the events they correct."""
    names = _Names(session)
    seq_by_id = {event.id: event.seq for event in events}
    corrected_by: dict[str, list[int]] = {}
    for event in events:
        if event.corrects_event_id is not None:
            corrected_by.setdefault(event.corrects_event_id, []).append(event.seq)
    return [
        TimelineRow(
            event=event,
            label=EVENT_LABELS.get(EventType(event.event_type), event.event_type),
            from_name=names.party(event.from_user_id, event.from_location),
            to_name=names.party(event.to_user_id, event.to_location),
            change=_change(event),
            file=event.details if event.event_type == EventType.FILE_ADDED else None,
            corrected_fields=_corrected_fields(event),
            corrects_seq=seq_by_id.get(event.corrects_event_id or ""),
            corrected_by=corrected_by.get(event.id, []),
            release_seq=seq_by_id.get(str(event.details.get("release_event_id", ""))),
        )
        for event in events
    ]


def _change(event: CustodyEvent) -> tuple[str, str] | None:
    if event.event_type not in (EventType.STATUS_CHANGE, EventType.SEAL_CHANGE):
        return None
    return str(event.details.get("from") or "none"), str(event.details.get("to") or "none")


def _corrected_fields(event: CustodyEvent) -> list[tuple[str, str]]:
    if event.event_type != EventType.CORRECTION:
        return []
    restated: dict[str, Any] = event.details.get("fields", {})
    return [(name, _field_text(name, value)) for name, value in restated.items()]


def _field_text(name: str, value: Any) -> str:
    if name == "occurred_at":
        return format_datetime(datetime.fromisoformat(str(value)))
    if name == "purpose":
        return str(value).replace("_", " ")
    return str(value)


def file_tree(item_files: list[EvidenceFile]) -> list[FileNode]:
    """Group the files of an item: each original in upload order, with its derived copies under it."""
    originals = [entry for entry in item_files if entry.kind == FileKind.ORIGINAL]
    known = {entry.sha256 for entry in originals}
    nodes = [
        FileNode(original, [copy for copy in item_files if copy.derived_from_sha256 == original.sha256])
        for original in originals
    ]
    # A copy whose original is not in the list still gets a row rather than vanishing.
    orphans = [
        entry
        for entry in item_files
        if entry.kind != FileKind.ORIGINAL and entry.derived_from_sha256 not in known
    ]
    return nodes + [FileNode(orphan, []) for orphan in orphans]

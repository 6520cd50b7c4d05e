"""Evidence items, their chain of custody and their digital evidence files.

Times are ISO 8601 with a UTC offset, and a time without one is rejected. Custody steps take
the statements made at the handover (when, where, the seal's condition, notes). An
``occurred_at`` left out means the time the step is recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import UploadFile
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from casetrail.api.schemas.common import ExpectedVersion, reject_null
from casetrail.evidence.events import Handover
from casetrail.evidence.items import Holder, ItemView
from casetrail.evidence.workflow import Category, EventType, FileKind, ItemStatus, Purpose

_HANDOVER_SEAL = "Seal number stated at this step. Default: the item's current seal number."


class HolderOut(BaseModel):
    """The custodian of an item: a user (``user_id`` set) or a named location."""

    user_id: str | None
    location: str | None
    name: str = Field(description="The user's username, or the location's name.")

    @classmethod
    def from_holder(cls, holder: Holder) -> HolderOut:
        return cls(user_id=holder.user_id, location=holder.location, name=holder.name)


class EvidenceItemOut(BaseModel):
    id: str = Field(description="Stable id of the item, which the QR code on its label encodes.")
    case_number: str
    number: str = Field(examples=["E-0001"])
    description: str
    category: Category
    status: ItemStatus
    obtained_method: str
    obtained_at: datetime
    obtained_place: str
    obtained_by: str
    obtained_from_entity_id: str | None
    storage_location: str
    seal_number: str
    custodian: HolderOut = Field(description="The current holder; the releaser while the item is in transit.")
    in_transit: bool = Field(description="True between a release and its acceptance.")
    pending_receiver: HolderOut | None = Field(
        description="The user the item was released to, if in transit."
    )
    entity_ids: list[str] = Field(description="Entities of the case that the item concerns.")
    custody_events: int = Field(description="Number of events in the item's custody log.")
    custody_head: str = Field(description="Hash of the newest custody event (SHA-256, hex).")
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int = Field(
        description="Send it back as expected_version to edit the item or change its status."
    )

    @classmethod
    def from_view(cls, view: ItemView) -> EvidenceItemOut:
        item = view.item
        return cls(
            id=item.id,
            case_number=view.case_number,
            number=item.number,
            description=item.description,
            category=Category(item.category),
            status=ItemStatus(item.status),
            obtained_method=item.obtained_method,
            obtained_at=item.obtained_at,
            obtained_place=item.obtained_place,
            obtained_by=item.obtained_by,
            obtained_from_entity_id=item.obtained_from_entity_id,
            storage_location=item.storage_location,
            seal_number=item.seal_number,
            custodian=HolderOut.from_holder(view.custodian),
            in_transit=view.in_transit,
            pending_receiver=HolderOut.from_holder(view.pending_receiver) if view.pending_receiver else None,
            entity_ids=view.entity_ids,
            custody_events=item.custody_seq,
            custody_head=item.custody_head,
            created_by=item.created_by,
            created_at=item.created_at,
            updated_at=item.updated_at,
            version=item.version,
        )


class EvidenceItemPage(BaseModel):
    items: list[EvidenceItemOut]
    total: int = Field(description="Items matching the filters.")


class EvidenceFileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    sha256: str = Field(description="SHA-256 of the file's content, in hex. The download path names it.")
    size: int = Field(description="Size in bytes.")
    media_type: str = Field(description="Detected from the content, e.g. application/pdf.")
    file_name: str
    kind: FileKind
    derived_from_sha256: str | None = Field(description="The original a copy was derived from.")
    uploaded_by: str
    uploaded_at: datetime


class ItemStatusChangeOut(BaseModel):
    """One status change, taken from the item's custody log."""

    seq: int = Field(description="Number of the custody event that recorded it.")
    from_status: ItemStatus | None
    to_status: ItemStatus
    reason: str
    occurred_at: datetime
    recorded_by: str
    recorded_at: datetime


class EvidenceItemDetail(EvidenceItemOut):
    allowed_next_statuses: list[ItemStatus] = Field(
        description="Statuses the workflow allows next. The custodian records the change."
    )
    files: list[EvidenceFileOut]
    status_history: list[ItemStatusChangeOut]


class ItemCreate(BaseModel):
    description: str = Field(min_length=1, max_length=5000, examples=["Black smartphone, cracked screen"])
    category: Category
    obtained_at: AwareDatetime = Field(description="When the item was seized or received.")
    obtained_method: str = Field(default="", max_length=300, examples=["search warrant"])
    obtained_place: str = Field(default="", max_length=300)
    obtained_by: str | None = Field(
        default=None,
        max_length=200,
        description="Name of the person who obtained the item. Default: the caller.",
    )
    obtained_from_entity_id: str | None = Field(
        default=None, description="The entity of the case it was obtained from (a Person, a Company)."
    )
    storage_location: str = Field(default="", max_length=300)
    seal_number: str = Field(default="", max_length=100)
    number: str | None = Field(
        default=None,
        description="Item number: 1-32 letters, digits, '.', '/', '_' or '-'. Default: the next E-NNNN.",
    )
    custodian_location: str | None = Field(
        default=None,
        max_length=300,
        description=(
            "A location that keeps the item from intake on. Default: the caller becomes its custodian."
        ),
    )
    condition: str = Field(default="", max_length=500, description="Condition of the item and its seal.")
    notes: str = Field(default="", max_length=10_000)
    entity_ids: list[str] = Field(default_factory=list, description="Entities of the case to link.")


class ItemUpdate(ExpectedVersion):
    """Fields left out keep their value, and obtained_from_entity_id takes null to clear it.

    Seals, status and custody change through custody steps, not here.
    """

    description: str | None = Field(default=None, min_length=1, max_length=5000)
    category: Category | None = None
    obtained_method: str | None = Field(default=None, max_length=300)
    obtained_at: AwareDatetime | None = None
    obtained_place: str | None = Field(default=None, max_length=300)
    obtained_by: str | None = Field(default=None, min_length=1, max_length=200)
    obtained_from_entity_id: str | None = None
    storage_location: str | None = Field(default=None, max_length=300)

    _no_null = field_validator(
        "description",
        "category",
        "obtained_method",
        "obtained_at",
        "obtained_place",
        "obtained_by",
        "storage_location",
        mode="before",
    )(reject_null)


class StepPlace(BaseModel):
    """When and where a custody step happened, and the condition of the item's seal."""

    occurred_at: AwareDatetime | None = Field(
        default=None, description="When the step happened. Default: the time it is recorded."
    )
    location: str = Field(default="", max_length=300, description="Where the step happened.")
    condition: str = Field(default="", max_length=500, description="Condition of the item and its seal.")


class HandoverIn(StepPlace):
    """Statements made at a custody step."""

    notes: str = Field(default="", max_length=10_000)

    def handover(self, seal_number: str | None = None) -> Handover:
        return Handover(
            occurred_at=self.occurred_at,
            location=self.location,
            seal_number=seal_number,
            condition=self.condition,
            notes=self.notes,
        )


class ItemStatusChange(ExpectedVersion, StepPlace):
    status: ItemStatus
    reason: str = Field(
        min_length=1, max_length=10_000, description="Why the status changes, kept as the event's notes."
    )

    def handover(self) -> Handover:
        return Handover(occurred_at=self.occurred_at, location=self.location, condition=self.condition)


class ReleaseRequest(HandoverIn):
    receiver: str = Field(max_length=64, description="Username of the person who is to accept the item.")
    purpose: Purpose
    seal_number: str | None = Field(default=None, max_length=100, description=_HANDOVER_SEAL)


class AcceptRequest(HandoverIn):
    seal_number: str | None = Field(default=None, max_length=100, description=_HANDOVER_SEAL)


class CancelRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=10_000, description="Why the release is withdrawn.")


class TransferRequest(HandoverIn):
    to_location: str = Field(
        min_length=1, max_length=300, description="The location that takes the item, e.g. Evidence room 2."
    )
    purpose: Purpose
    seal_number: str | None = Field(default=None, max_length=100, description=_HANDOVER_SEAL)


class SealChange(ExpectedVersion, HandoverIn):
    seal_number: str = Field(min_length=1, max_length=100, description="The new seal's number.")


class CorrectedFields(BaseModel):
    """The fields the corrected event should have stated. Only the fields given are corrected."""

    occurred_at: AwareDatetime | None = None
    location: str | None = Field(default=None, max_length=300)
    seal_number: str | None = Field(default=None, max_length=100)
    condition: str | None = Field(default=None, max_length=500)
    notes: str | None = Field(default=None, max_length=10_000)
    purpose: Purpose | None = None

    _no_null = field_validator(
        "occurred_at", "location", "seal_number", "condition", "notes", "purpose", mode="before"
    )(reject_null)


class CorrectionRequest(BaseModel):
    event_id: str = Field(description="Id of the custody event being corrected.")
    corrections: CorrectedFields
    reason: str = Field(min_length=1, max_length=10_000)


class CustodyEventOut(BaseModel):
    id: str
    seq: int
    event_type: EventType
    from_user_id: str | None
    from_location: str | None
    from_name: str = Field(description="Username or location the item came from. Empty at intake.")
    to_user_id: str | None
    to_location: str | None
    to_name: str = Field(description="Username or location the item went to.")
    purpose: Purpose | None
    occurred_at: datetime
    location: str
    seal_number: str
    condition: str
    notes: str
    recorded_by: str
    recorded_at: datetime
    corrects_event_id: str | None
    details: dict[str, Any] = Field(
        description="Facts of the event type, e.g. a status change's from and to."
    )
    prev_hash: str
    hash: str = Field(description="SHA-256 of prev_hash and the event's canonical JSON.")


class ChainCheckOut(BaseModel):
    ok: bool
    events_checked: int
    head_hash: str = Field(description="Hash of the last event that verified.")
    first_bad_seq: int | None
    problem: str | None


class CustodyLogOut(BaseModel):
    item_number: str
    events: list[CustodyEventOut]
    chain: ChainCheckOut = Field(description="The hash chain recomputed now, against the head on the item.")


class EntityLinkCreate(BaseModel):
    entity_id: str = Field(description="An entity of the case, e.g. the Person who owned the item.")


class EntityLinkOut(BaseModel):
    item_number: str
    entity_id: str


class EvidenceUpload(BaseModel):
    """The multipart form of a file upload."""

    file: UploadFile = Field(description="The file. Its name is kept without any folder part.")
    kind: FileKind = Field(default=FileKind.ORIGINAL, description="original, or a copy derived from one.")
    derived_from: str | None = Field(
        default=None, description="For a copy: the SHA-256 of the item's original that it was derived from."
    )


class ExportRequest(BaseModel):
    items: list[str] | None = Field(
        default=None, description="Item numbers to export. Default: every item of the case."
    )


class BadFileOut(BaseModel):
    item_number: str
    file_id: str
    file_name: str
    sha256: str
    problem: str


class FileCheckOut(BaseModel):
    ok: bool
    blobs_checked: int
    files_checked: int
    bytes_checked: int
    failures: list[BadFileOut] = Field(description="Files whose stored bytes no longer match.")

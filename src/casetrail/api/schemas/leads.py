"""Leads and tips: the triage queue, one lead, changes, assignment, status and case links."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from casetrail.auth.policy import LeadPermission
from casetrail.auth.roles import Sensitivity
from casetrail.leads.workflow import LeadStatus


class LeadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    reference: str = Field(examples=["L-2026-0042"])
    kind: str = Field(description="tip (public form) or internal (recorded by staff).")
    channel: str
    status: LeadStatus
    close_reason: str | None
    priority: str
    category: str
    jurisdiction: str
    sensitivity: Sensitivity
    unit_id: str | None
    assignee_id: str | None
    case_id: str | None
    group_id: str | None = Field(description="Leads with the same group id were found similar.")
    title: str
    body: str
    location: str
    occurred_at: datetime | None
    subject_names: list[str]
    vehicle_plates: list[str]
    source_description: str
    contact_name: str
    contact_phone: str
    contact_email: str
    contact_address: str
    grading_scale: str | None
    source_grade: str | None
    information_grade: str | None
    handling_code: str | None
    received_at: datetime
    due_at: datetime
    recorded_by: str
    updated_at: datetime
    version: int = Field(description="Send it back as expected_version to change the lead.")


class QueueItemOut(BaseModel):
    lead: LeadOut
    overdue: bool
    group_size: int = Field(description="Leads in this lead's group that the caller may see.")
    assignee: str | None
    unit: str | None


class QueuePageOut(BaseModel):
    items: list[QueueItemOut]
    total: int


class StatusChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: LeadStatus | None
    to_status: LeadStatus
    reason: str
    changed_by: str
    changed_at: datetime


class AdditionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    body: str
    added_by: str
    created_at: datetime


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    file_name: str
    size: int
    sha256: str
    status: str = Field(description="Ingestion status: queued, processing, ingested or failed.")


class SimilarOut(BaseModel):
    reference: str
    title: str
    reasons: list[str] = Field(description="Shared keys: phone, email, name, place, text.")
    text_score: float


class LeadDetail(BaseModel):
    lead: LeadOut
    permissions: list[LeadPermission]
    overdue: bool
    assignee: str | None
    unit: str | None
    case_number: str | None
    history: list[StatusChangeOut]
    additions: list[AdditionOut]
    attachments: list[AttachmentOut]
    similar: list[SimilarOut]
    group: list[str] = Field(description="References of the group's leads that the caller may see.")


class GradingIn(BaseModel):
    scale: str | None = Field(default=None, description="admiralty or 5x5x5.")
    source: str | None = Field(default=None, description="Source grade: A-F (Admiralty) or A-E (5x5x5).")
    information: str | None = Field(default=None, description="Information grade: 1-6 or 1-5.")
    handling: str | None = Field(default=None, description="Handling code 1-5 (5x5x5 only).")


class LeadCreate(BaseModel):
    channel: str = Field(
        examples=["phone"], description="phone, partner_agency, colleague, other_case, analysis, other."
    )
    title: str
    body: str = ""
    location: str = ""
    occurred_at: datetime | None = None
    subject_names: list[str] = Field(default_factory=list)
    vehicle_plates: list[str] = Field(default_factory=list)
    source_description: str = Field(default="", examples=["Europol liaison officer"])
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_address: str = ""
    grading: GradingIn | None = None
    priority: str = "normal"
    sensitivity: Sensitivity = Sensitivity.RESTRICTED
    category: str = ""
    jurisdiction: str = ""
    unit: str | None = Field(default=None, description="Unit name whose queue gets the lead; default yours.")


class LeadPatch(BaseModel):
    expected_version: int = Field(ge=1)
    title: str | None = None
    body: str | None = None
    location: str | None = None
    occurred_at: datetime | None = None
    subject_names: list[str] | None = None
    vehicle_plates: list[str] | None = None
    source_description: str | None = None
    grading: GradingIn | None = None
    priority: str | None = Field(default=None, description="Triage staff only.")
    category: str | None = Field(default=None, description="Triage staff only.")
    jurisdiction: str | None = Field(default=None, description="Triage staff only.")
    sensitivity: Sensitivity | None = Field(default=None, description="Triage staff only.")
    due_at: datetime | None = Field(default=None, description="Triage staff only.")


class AssignIn(BaseModel):
    username: str | None = Field(default=None, description="The person who works the lead.")
    unit: str | None = Field(default=None, description="The unit whose queue gets the lead.")
    reason: str = ""


class StatusIn(BaseModel):
    status: LeadStatus
    reason: str
    close_reason: str | None = Field(
        default=None,
        description=(
            "Required to close: duplicate, no_further_action, insufficient_information, "
            "not_credible, referred_elsewhere, resolved."
        ),
    )


class LinkIn(BaseModel):
    case_number: str = Field(examples=["2026-0142"])


class OpenCaseIn(BaseModel):
    title: str | None = Field(default=None, description="Case title; the lead's title by default.")
    lead: str | None = Field(default=None, description="Username of the case lead; you by default.")
    sensitivity: Sensitivity = Sensitivity.RESTRICTED
    offence_category: str = ""


class ConversionOut(BaseModel):
    case_number: str
    entity_ids: list[str]
    document_ids: list[str]


class TipReceiptOut(BaseModel):
    receipt_code: str = Field(
        description="Shown once. With it the tipster adds information later; it cannot be recovered."
    )


class TipAdditionOut(BaseModel):
    attachments: int

"""Documents of a case: uploads, ingestion status, pages, originals and suggested facts.

Statuses: queued (waiting for a worker), processing, ingested, failed (``failure_reason``
gives the reason, the original is kept, and ``retry`` queues it again).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from casetrail.api.schemas.common import ExpectedVersion
from casetrail.documents.families import MAX_COPIES_SHOWN, Lineage
from casetrail.documents.models import Document, DocumentPage
from casetrail.documents.queries import DocumentView
from casetrail.jobs.models import Job


class DocumentSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str | None
    parent_id: str | None
    depth: int = Field(description="0 for an upload, 1 for a file read out of it, and so on.")
    origin: str = Field(description="upload, evidence, child, tip or issued.")
    file_name: str
    sha256: str
    size: int = Field(description="Bytes of the original.")
    media_type: str = Field(description="Detected from the content by ingestion; empty until then.")
    status: str = Field(examples=["queued", "processing", "ingested", "failed"])
    failure_reason: str | None
    title: str
    page_count: int
    labels: list[str]
    created_at: datetime
    ingested_at: datetime | None
    version: int


class DocumentOut(DocumentSummaryOut):
    lead_id: str | None
    root_id: str
    evidence_file_id: str | None
    declared_media_type: str = Field(description="The type the uploader's client stated; not trusted.")
    attempts: int
    author: str
    document_date: datetime | None
    local_capture_time: str | None = Field(
        description=(
            "The capture time in the camera's local time (ISO 8601 without offset) when EXIF "
            "stores no time zone. document_date then holds the same clock time marked as UTC, "
            "which it is not, so show this value instead and do not convert it."
        ),
        examples=["2009-08-11T09:09:45"],
    )
    meta: dict[str, Any]
    uploaded_by: str


class PageSummaryOut(BaseModel):
    page_no: int
    ocr: bool = Field(description="True when the text was read by OCR.")
    has_image: bool
    chars: int = Field(description="Characters of text on the page.")


class DocumentDetailOut(BaseModel):
    document: DocumentOut
    pages: list[PageSummaryOut]
    children: list[DocumentSummaryOut]
    parent: DocumentSummaryOut | None
    ancestors: list[DocumentSummaryOut] = Field(
        description="From the top-level upload down to the parent; empty for an upload."
    )
    same_file: list[DocumentSummaryOut] = Field(
        description=(
            f"Up to {MAX_COPIES_SHOWN} other documents of the same case with the same SHA-256, oldest first."
        )
    )
    mention_counts: dict[str, int] = Field(description="Mentions by status: suggested, accepted, dismissed.")

    @classmethod
    def from_view(cls, view: DocumentView, lineage: Lineage) -> DocumentDetailOut:
        return cls(
            document=DocumentOut.model_validate(view.document),
            pages=[PageSummaryOut(**vars(page)) for page in view.pages],
            children=[DocumentSummaryOut.model_validate(child) for child in view.children],
            parent=DocumentSummaryOut.model_validate(view.parent) if view.parent else None,
            ancestors=[DocumentSummaryOut.model_validate(ancestor) for ancestor in lineage.ancestors],
            same_file=[DocumentSummaryOut.model_validate(copy.document) for copy in lineage.copies],
            mention_counts=view.mention_counts,
        )


class DocumentListOut(BaseModel):
    items: list[DocumentSummaryOut]
    total: int
    limit: int
    offset: int


class UploadedOut(BaseModel):
    documents: list[DocumentSummaryOut] = Field(description="One per uploaded file, in the order sent.")


class DocumentStatusOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    status: str
    failure_reason: str | None
    page_count: int
    media_type: str


class PageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    document_id: str
    page_no: int
    text: str
    ocr: bool
    has_image: bool

    @classmethod
    def from_page(cls, page: DocumentPage) -> PageOut:
        return cls(
            document_id=page.document_id,
            page_no=page.page_no,
            text=page.text,
            ocr=page.ocr,
            has_image=page.image_sha256 is not None,
        )


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    status: str = Field(examples=["queued", "running", "done", "failed"])
    attempts: int
    max_attempts: int
    run_after: datetime
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class IngestionOut(BaseModel):
    document: DocumentStatusOut
    attempts: int = Field(description="Times ingestion of this document started.")
    job: JobOut | None = Field(description="The latest ingestion job of the document.")

    @classmethod
    def build(cls, document: Document, job: Job | None) -> IngestionOut:
        return cls(
            document=DocumentStatusOut.model_validate(document),
            attempts=document.attempts,
            job=JobOut.model_validate(job) if job else None,
        )


class LabelsIn(ExpectedVersion):
    labels: list[str] = Field(
        max_length=20,
        description="The full new set of labels, e.g. privileged, translated.",
        examples=[["privileged"]],
    )


class FromEvidenceIn(BaseModel):
    item_number: str = Field(examples=["E-0001"])
    file_id: str = Field(description="Id of a digital evidence file of the item.")


class MentionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    document_id: str
    page_no: int
    kind: str = Field(examples=["email", "phone", "iban", "account", "url", "date"])
    value: str = Field(description="As written in the text.")
    normalized: str = Field(description="Canonical form: E.164 phone, IBAN without spaces, ISO date.")
    status: str = Field(examples=["suggested", "accepted", "dismissed"])
    entity_id: str | None
    prop: str | None
    decided_by: str | None
    decided_at: datetime | None


class AcceptMentionIn(BaseModel):
    entity_id: str | None = Field(
        default=None, description="Add the value to this entity of the case. Default: create a new entity."
    )
    prop: str | None = Field(default=None, description="FtM property to fill. Default: the one for the kind.")
    schema_name: str | None = Field(
        default=None,
        alias="schema",
        description="Schema of a new entity. Default: LegalEntity, BankAccount or Event by kind.",
    )


class MentionDecisionOut(BaseModel):
    mention: MentionOut
    entity_id: str | None

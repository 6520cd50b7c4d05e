"""Legal documents: templates, documents with their versions and review steps, and verification."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from casetrail.api.schemas.common import ExpectedVersion


class TemplateFieldOut(BaseModel):
    name: str
    label: str
    source: str = Field(
        description="text or line (edited), or subjects, evidence, custody, timeline, notes, chart."
    )
    required: bool
    help: str


class TemplateOut(BaseModel):
    key: str
    name: str
    description: str
    version: int = Field(description="The current version, which new documents use.")
    sha256: str = Field(description="SHA-256 of the current version's source and field definitions.")
    fields: list[TemplateFieldOut]


class TemplateVersionOut(BaseModel):
    number: int
    sha256: str
    comment: str
    created_by: str
    created_at: datetime


class TemplateDetail(TemplateOut):
    source: str = Field(description="The typst source of the current version.")
    definition: str = Field(description="The field definitions (TOML) of the current version.")
    versions: list[TemplateVersionOut]


class TemplateSave(BaseModel):
    source: str = Field(min_length=1, description="Typst source; the Casetrail preamble is put before it.")
    definition: str = Field(min_length=1, description="Field definitions as TOML.")
    comment: str = Field(default="", max_length=2000)


class Selection(BaseModel):
    subjects: list[str] = Field(default_factory=list, description="Entity ids of the case.")
    evidence: list[str] = Field(default_factory=list, description="Evidence item numbers.")
    notes: list[str] = Field(default_factory=list, description="Note ids.")
    chart: str | None = Field(default=None, description="Id of a saved link chart of the case.")


class DocumentCreate(BaseModel):
    template: str = Field(description="Template key, e.g. report_of_investigation.")
    title: str = Field(min_length=1, max_length=300)
    selection: Selection = Field(default_factory=Selection)
    sections: dict[str, str] = Field(default_factory=dict, description="Text of the text and line fields.")


class DocumentEdit(ExpectedVersion):
    sections: dict[str, str]
    title: str | None = Field(default=None, min_length=1, max_length=300)
    selection: Selection | None = None


class ReviewStep(ExpectedVersion):
    comment: str = Field(default="", max_length=10_000, description="Required when returning a document.")


class FilingStep(ExpectedVersion):
    reference: str = Field(min_length=1, max_length=300, description="The court's or office's reference.")


class RedactionRequest(BaseModel):
    entities: list[str] = Field(default_factory=list, description="Entities whose names and identifiers go.")
    passages: list[str] = Field(
        default_factory=list, description="Words or passages that go, wherever they are."
    )
    version: int | None = Field(default=None, description="Issued version to redact; default the latest.")


class VersionOut(BaseModel):
    number: int
    template_version: int
    content_sha256: str
    pdf_sha256: str | None = Field(
        description="SHA-256 of the issued PDF; null until the version is approved."
    )
    created_by: str
    created_at: datetime
    approved_by: str | None
    issued_at: datetime | None


class EventOut(BaseModel):
    action: str
    version: int
    from_status: str | None
    to_status: str
    comment: str
    actor: str
    at: datetime


class ActionsOut(BaseModel):
    edit: bool
    submit: bool
    review: bool = Field(description="Approve or return.")
    file: bool
    redact: bool


class DocumentSummary(BaseModel):
    id: str
    title: str
    template: str
    status: str
    latest_version: int
    author: str
    redacted_from: str | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Row version: send it as expected_version with a change.")


class DocumentDetail(DocumentSummary):
    filed_reference: str
    case_document_id: str | None = Field(description="The case document that holds the issued PDF.")
    versions: list[VersionOut]
    events: list[EventOut]
    actions: ActionsOut
    redacted_copies: list[str]


class VerificationOut(BaseModel):
    verdict: str = Field(description="issued, changed (claims to be a version but differs) or unknown.")
    sha256: str
    document_id: str | None
    version: int | None
    case: str | None
    title: str | None
    status: str | None
    issued_sha256: str | None
    message: str

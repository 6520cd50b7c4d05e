"""Legal document records: templates with their versions, documents, their versions and review steps.

A template version is never changed once saved: an edit saves the next version, and each
document version names the template version that rendered it. A document version is never
changed either, except that issuing it (approval) fills ``pdf_sha256`` once. Every edit of a
document saves a new version with the complete inputs the template read, so any version can be
rendered again, byte for byte the same, and a redacted copy can be rendered from the same inputs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.db.base import Base


class LegalTemplate(Base):
    __tablename__ = "legal_template"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # A stable name such as ``report_of_investigation``; also the name of the shipped files.
    key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    current_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class LegalTemplateVersion(Base):
    __tablename__ = "legal_template_version"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    template_id: Mapped[str] = mapped_column(ForeignKey("legal_template.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    # The typst source, without the preamble that Casetrail puts before it.
    source: Mapped[str] = mapped_column(Text, nullable=False)
    # The preamble shipped when the version was saved, so a Casetrail upgrade that changes the
    # shipped preamble does not change how existing versions render.
    preamble: Mapped[str] = mapped_column(Text, nullable=False)
    # The field definitions as TOML text, kept as written so an administrator edits them again.
    definition: Mapped[str] = mapped_column(Text, nullable=False)
    # SHA-256 of the preamble, the source and the definition (``library.version_sha256``).
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("template_id", "number"),)


class LegalDocument(Base):
    __tablename__ = "legal_document"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    template_id: Mapped[str] = mapped_column(ForeignKey("legal_template.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    # What the author chose from the case (entity ids, item numbers, note ids, chart id).
    selection: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    latest_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    author_id: Mapped[str | None] = mapped_column(String(36))
    author_name: Mapped[str] = mapped_column(String(200), nullable=False)
    # A redacted copy names the document and version it was made from; originals have None.
    redacted_from_id: Mapped[str | None] = mapped_column(ForeignKey("legal_document.id"))
    redacted_from_version: Mapped[int | None] = mapped_column(Integer)
    # The case document (``casetrail.documents``) the issued PDF was stored as.
    case_document_id: Mapped[str | None] = mapped_column(String(36))
    filed_reference: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_legal_document_case_id", "case_id"),
        Index("ix_legal_document_redacted_from_id", "redacted_from_id"),
    )


class LegalDocumentVersion(Base):
    __tablename__ = "legal_document_version"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    document_id: Mapped[str] = mapped_column(ForeignKey("legal_document.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    template_version_id: Mapped[str] = mapped_column(ForeignKey("legal_template_version.id"), nullable=False)
    # The JSON the template reads as ``data``: case facts and the edited sections.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    # SHA-256 of the canonical JSON of ``inputs`` (see ``casetrail.legal.sealing``).
    content_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_by_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    # Set once, when the version is issued: the stored PDF, its size and who approved it.
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None] = mapped_column(BigInteger)
    issued_at: Mapped[datetime | None] = mapped_column()
    approved_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        Index("ix_legal_document_version_pdf_sha256", "pdf_sha256"),
    )


class LegalDocumentEvent(Base):
    """One step of the review workflow, with the reviewer's comment where there is one."""

    __tablename__ = "legal_document_event"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    document_id: Mapped[str] = mapped_column(ForeignKey("legal_document.id"), nullable=False)
    version_number: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    actor_name: Mapped[str] = mapped_column(String(200), nullable=False)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    __table_args__ = (Index("ix_legal_document_event_document_id", "document_id"),)

"""Document records.

A document is one stored file of a case (the original stays in the blob store under its
SHA-256) plus what ingestion read from it: text per page, metadata and child documents
(e-mail attachments, archive members, embedded files). ``root_id`` names the top-level
upload, so a whole family can be listed or purged together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.db.base import Base
from casetrail.documents.capture_time import unzoned_capture_time
from casetrail.entities.models import ENTITY_ID_LENGTH

# queued: waiting for a worker. processing: a worker has claimed it. ingested: text and
# metadata read. failed: ``failure_reason`` gives the cause, the original is kept, and a retry
# is possible.
DOCUMENT_STATUSES = ("queued", "processing", "ingested", "failed")

# Document sources: a direct upload to the case, a digital evidence file, a child read out of
# another document, a tip attachment, or a document Casetrail issued itself.
DOCUMENT_ORIGINS = ("upload", "evidence", "child", "tip", "issued")

MENTION_KINDS = ("email", "phone", "iban", "account", "url", "date")
MENTION_STATUSES = ("suggested", "accepted", "dismissed")


class Document(Base):
    __tablename__ = "document"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # A tip attachment has no case until its lead is linked to one; ``lead_id`` names the
    # lead then. Every other document belongs to exactly one case.
    case_id: Mapped[str | None] = mapped_column(ForeignKey("case_file.id"))
    lead_id: Mapped[str | None] = mapped_column(String(36))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"))
    root_id: Mapped[str] = mapped_column(String(36), nullable=False)
    depth: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    origin: Mapped[str] = mapped_column(String(16), nullable=False)
    evidence_file_id: Mapped[str | None] = mapped_column(ForeignKey("evidence_file.id"))
    # The name inside the parent (archive member path, attachment file name), as given.
    file_name: Mapped[str] = mapped_column(String(500), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    declared_media_type: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # Detected from the content by ingestion; empty until then.
    media_type: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    failure_reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    title: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    # The author of a file, or the sender of a message.
    author: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    # When the content was made: sent date, creation date or capture time.
    document_date: Mapped[datetime | None] = mapped_column()
    page_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    labels: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    uploaded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    uploaded_by_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    ingested_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_document_case_id_created_at", "case_id", "created_at"),
        Index("ix_document_parent_id", "parent_id"),
        Index("ix_document_root_id", "root_id"),
        Index("ix_document_sha256", "sha256"),
        Index("ix_document_status", "status"),
        Index("ix_document_lead_id", "lead_id"),
    )

    @property
    def local_capture_time(self) -> str | None:
        """The capture time in the camera's local time (ISO 8601, no offset) when EXIF gives no zone.

        ``document_date`` then holds the same clock time marked as UTC, which it is not.
        """
        local = unzoned_capture_time(self.meta)
        return local.isoformat() if local is not None else None


class DocumentPage(Base):
    """Text of one page (1-based). Files without pages have a single page 1."""

    __tablename__ = "document_page"

    document_id: Mapped[str] = mapped_column(ForeignKey("document.id"), primary_key=True)
    page_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("case_file.id"))
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # True when the text came from OCR rather than a text layer.
    ocr: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # A rendered image of the page (PDF pages, video keyframes), kept in the blob store.
    image_sha256: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_document_page_case_id", "case_id"),)


class DocumentMention(Base):
    """An identifier found in a document's text, offered to the user as an entity fact."""

    __tablename__ = "document_mention"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    document_id: Mapped[str] = mapped_column(ForeignKey("document.id"), nullable=False)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("case_file.id"))
    page_no: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    # As written in the text, and in canonical form (E.164, upper-case IBAN, ISO date...).
    value: Mapped[str] = mapped_column(String(1000), nullable=False)
    normalized: Mapped[str] = mapped_column(String(1000), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="suggested")
    entity_id: Mapped[str | None] = mapped_column(String(ENTITY_ID_LENGTH))
    prop: Mapped[str | None] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        Index("ix_document_mention_document_id", "document_id"),
        Index("ix_document_mention_case_id_normalized", "case_id", "normalized"),
    )

"""Evidence records.

``custody_event`` is append-only: services only insert, database triggers reject UPDATE and
DELETE, and each event carries a hash chained per item (see ``chain``). The item row caches
the current custodian, the pending receiver and the hash of its newest event, so reading an
item never replays its log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.db.base import Base
from casetrail.db.ledger import GENESIS_HASH
from casetrail.entities.models import ENTITY_ID_LENGTH


class EvidenceItem(Base):
    __tablename__ = "evidence_item"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    number: Mapped[str] = mapped_column(String(32), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    obtained_method: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    obtained_at: Mapped[datetime] = mapped_column(nullable=False)
    obtained_place: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    obtained_by: Mapped[str] = mapped_column(String(200), nullable=False)
    obtained_from_entity_id: Mapped[str | None] = mapped_column(String(ENTITY_ID_LENGTH))
    storage_location: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    seal_number: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    custodian_user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    custodian_location: Mapped[str | None] = mapped_column(String(300))
    pending_receiver_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    pending_release_id: Mapped[str | None] = mapped_column(String(36))
    custody_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    custody_head: Mapped[str] = mapped_column(String(64), nullable=False, default=GENESIS_HASH)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("case_id", "number"),
        Index("ix_evidence_item_pending_receiver_id", "pending_receiver_id"),
    )


class EvidenceEntityLink(Base):
    """An entity of the case that an item concerns (its owner, the phone it is, ...)."""

    __tablename__ = "evidence_item_entity"

    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_item.id"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(200), nullable=False)
    added_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    __table_args__ = (Index("ix_evidence_item_entity_entity_id", "entity_id"),)


class CustodyEvent(Base):
    """One step in an item's chain of custody. Never updated or deleted."""

    __tablename__ = "custody_event"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_item.id"), nullable=False)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    event_type: Mapped[str] = mapped_column(String(32), nullable=False)
    from_user_id: Mapped[str | None] = mapped_column(String(36))
    from_location: Mapped[str | None] = mapped_column(String(300))
    to_user_id: Mapped[str | None] = mapped_column(String(36))
    to_location: Mapped[str | None] = mapped_column(String(300))
    purpose: Mapped[str | None] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(nullable=False)
    location: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    seal_number: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    condition: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    recorded_by_id: Mapped[str | None] = mapped_column(String(36))
    recorded_at: Mapped[datetime] = mapped_column(nullable=False)
    corrects_event_id: Mapped[str | None] = mapped_column(ForeignKey("custody_event.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)

    __table_args__ = (
        UniqueConstraint("item_id", "seq"),
        Index("ix_custody_event_case_id", "case_id"),
    )

    def hashed_fields(self) -> dict[str, Any]:
        """Return the fields covered by ``hash``, in the form ``chain.event_hash`` reads."""
        return {
            "id": self.id,
            "item_id": self.item_id,
            "case_id": self.case_id,
            "seq": self.seq,
            "event_type": self.event_type,
            "from_user_id": self.from_user_id,
            "from_location": self.from_location,
            "to_user_id": self.to_user_id,
            "to_location": self.to_location,
            "purpose": self.purpose,
            "occurred_at": self.occurred_at.isoformat(),
            "location": self.location,
            "seal_number": self.seal_number,
            "condition": self.condition,
            "notes": self.notes,
            "recorded_by": self.recorded_by,
            "recorded_by_id": self.recorded_by_id,
            "recorded_at": self.recorded_at.isoformat(),
            "corrects_event_id": self.corrects_event_id,
            "details": self.details,
        }


class EvidenceFile(Base):
    """A digital evidence file of an item: an original or a copy derived from one."""

    __tablename__ = "evidence_file"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_item.id"), nullable=False)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    media_type: Mapped[str] = mapped_column(String(200), nullable=False)
    file_name: Mapped[str] = mapped_column(String(500), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    derived_from_sha256: Mapped[str | None] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    uploaded_by_id: Mapped[str | None] = mapped_column(String(36))
    uploaded_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("item_id", "sha256", "kind"),
        Index("ix_evidence_file_item_id", "item_id"),
        Index("ix_evidence_file_sha256", "sha256"),
        Index("ix_evidence_file_case_id", "case_id"),
    )

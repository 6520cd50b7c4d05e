"""Tables of cross-referencing.

``xref_key`` is the blocking index: normalised keys (name tokens, phonetic keys, birth dates,
identifiers, phones, e-mails, addresses) per case entity and per watch-list entity. A look-up
reads only the rows that share a key with the entity being matched.

A candidate pairs a case entity (the left side) with an entity of another case or of a
watch-list (the right side). Decisions on a candidate are kept with who, when and why, and are
retracted rather than deleted. A confirmed candidate becomes a "same as" link; the facts of the
two cases stay apart. Deconfliction notices tell the leads of two cases that they share a
target without revealing the other case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.db.base import Base
from casetrail.entities.models import ENTITY_ID_LENGTH

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
_ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


class Watchlist(Base):
    """A watch-list loaded from FtM data, kept outside every case. ``version`` counts the loads."""

    __tablename__ = "xref_watchlist"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    file_name: Mapped[str] = mapped_column(String(500), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    loaded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)


class WatchlistEntity(Base):
    __tablename__ = "xref_watchlist_entity"

    watchlist_id: Mapped[str] = mapped_column(ForeignKey("xref_watchlist.id"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), primary_key=True)
    schema: Mapped[str] = mapped_column(String(64), nullable=False)
    caption: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)


class MatchKey(Base):
    """One blocking key of one entity, e.g. ``ph:+12025550100`` from the property ``phone``.

    Exactly one of ``case_id`` and ``watchlist_id`` is set.
    """

    __tablename__ = "xref_key"

    id: Mapped[int] = mapped_column(_ROW_ID, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    prop: Mapped[str] = mapped_column(String(64), nullable=False)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("case_file.id"))
    watchlist_id: Mapped[str | None] = mapped_column(ForeignKey("xref_watchlist.id"))
    entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), nullable=False)
    schema: Mapped[str] = mapped_column(String(64), nullable=False)

    __table_args__ = (
        Index("ix_xref_key_key", "key"),
        Index("ix_xref_key_case_entity", "case_id", "entity_id"),
        Index("ix_xref_key_watchlist_entity", "watchlist_id", "entity_id"),
    )


class Candidate(Base):
    """A possible match between a case entity and an entity of another case or a watch-list.

    ``pair_key`` is the SHA-256 of both sides in a fixed order, so a pair is stored once.
    ``features`` holds the matcher's explanation; ``shared_keys`` the kinds of blocking keys
    the two entities have in common (property names, never values).
    """

    __tablename__ = "xref_candidate"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    pair_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    left_case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    left_entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), nullable=False)
    right_case_id: Mapped[str | None] = mapped_column(ForeignKey("case_file.id"))
    right_watchlist_id: Mapped[str | None] = mapped_column(ForeignKey("xref_watchlist.id"))
    right_entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), nullable=False)
    schema: Mapped[str] = mapped_column(String(64), nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    algorithm: Mapped[str] = mapped_column(String(32), nullable=False)
    features: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    shared_keys: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    origin: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_xref_candidate_left", "left_case_id", "left_entity_id"),
        Index("ix_xref_candidate_right", "right_case_id", "right_entity_id"),
        Index("ix_xref_candidate_watchlist", "right_watchlist_id"),
    )


class Decision(Base):
    """An analyst's verdict on a candidate. Retracting it keeps the row and records why."""

    __tablename__ = "xref_decision"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    candidate_id: Mapped[str] = mapped_column(ForeignKey("xref_candidate.id"), nullable=False)
    verdict: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    decided_by: Mapped[str] = mapped_column(String(200), nullable=False)
    decided_by_id: Mapped[str | None] = mapped_column(String(36))
    decided_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    retracted_at: Mapped[datetime | None] = mapped_column()
    retracted_by: Mapped[str | None] = mapped_column(String(200))
    retraction_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_xref_decision_candidate_id", "candidate_id"),)


class SameAsLink(Base):
    """Two entities confirmed to be the same, each staying in its own case with its own facts."""

    __tablename__ = "xref_link"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    decision_id: Mapped[str] = mapped_column(ForeignKey("xref_decision.id"), unique=True, nullable=False)
    candidate_id: Mapped[str] = mapped_column(ForeignKey("xref_candidate.id"), nullable=False)
    left_case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    left_entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), nullable=False)
    right_case_id: Mapped[str | None] = mapped_column(ForeignKey("case_file.id"))
    right_watchlist_id: Mapped[str | None] = mapped_column(ForeignKey("xref_watchlist.id"))
    right_entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    removed_by: Mapped[str | None] = mapped_column(String(200))
    removed_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        Index("ix_xref_link_left", "left_case_id", "left_entity_id"),
        Index("ix_xref_link_right", "right_case_id", "right_entity_id"),
    )


class Notice(Base):
    """A deconfliction notice for the lead of one case about an overlap with another case.

    ``other_case_id`` and ``other_entity_id`` are kept for the board and for de-duplication;
    no reader-facing view shows them. ``own_value`` comes from the recipient's own case.
    """

    __tablename__ = "xref_notice"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    pair_key: Mapped[str] = mapped_column(String(64), nullable=False)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), nullable=False)
    recipient_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    other_case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    other_entity_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), nullable=False)
    other_lead_name: Mapped[str] = mapped_column(String(200), nullable=False)
    other_unit_name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    label: Mapped[str] = mapped_column(String(100), nullable=False)
    own_value: Mapped[str] = mapped_column(String(500), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column()
    close_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("case_id", "entity_id", "other_case_id", "other_entity_id", "kind"),
        Index("ix_xref_notice_recipient_id", "recipient_id"),
        Index("ix_xref_notice_pair_key", "pair_key"),
        Index("ix_xref_notice_other_case_id", "other_case_id"),
    )

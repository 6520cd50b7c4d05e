"""Lead records: tips from the public and leads recorded by staff, with their triage history.

A lead carries its facts as plain fields (text, place, time, names, plates) until it is linked
to a case, where they become FtM entities. ``LeadKey`` rows hold normalised identifiers (E.164
phones, e-mails, names, places, text fingerprints); two leads that share a key are candidates
for one group. Only the SHA-256 of a tip's receipt code is stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.db.base import Base

LEAD_KINDS = ("tip", "internal")
# Channels through which a lead arrives. Public tips always come through the form.
LEAD_CHANNELS = ("public_form", "phone", "partner_agency", "colleague", "other_case", "analysis", "other")
PRIORITIES = ("urgent", "high", "normal", "low")
CLOSE_REASONS = (
    "duplicate",
    "no_further_action",
    "insufficient_information",
    "not_credible",
    "referred_elsewhere",
    "resolved",
)
KEY_KINDS = ("phone", "email", "name", "place", "text")


class Lead(Base):
    __tablename__ = "lead"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # Staff quote this, e.g. L-2026-0042; it never reaches the tipster.
    reference: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    channel: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="new")
    close_reason: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16), nullable=False, default="normal")
    category: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    jurisdiction: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    sensitivity: Mapped[str] = mapped_column(String(32), nullable=False)
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"))
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("case_file.id"))
    group_id: Mapped[str | None] = mapped_column(String(36))

    title: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    location: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    # When the reported events happened, as reported by the source.
    occurred_at: Mapped[datetime | None] = mapped_column()
    subject_names: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    vehicle_plates: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)

    # The source. A tipster who leaves every contact field empty is anonymous.
    source_description: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    contact_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    contact_email: Mapped[str] = mapped_column(String(320), nullable=False, default="")
    contact_address: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    # Grading: Admiralty (source A-F, information 1-6) or 5x5x5 (source A-E, intelligence 1-5,
    # handling code 1-5).
    grading_scale: Mapped[str | None] = mapped_column(String(16))
    source_grade: Mapped[str | None] = mapped_column(String(1))
    information_grade: Mapped[str | None] = mapped_column(String(1))
    handling_code: Mapped[str | None] = mapped_column(String(1))

    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    recorded_by_id: Mapped[str | None] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_lead_status_due_at", "status", "due_at"),
        Index("ix_lead_unit_id", "unit_id"),
        Index("ix_lead_assignee_id", "assignee_id"),
        Index("ix_lead_group_id", "group_id"),
        Index("ix_lead_case_id", "case_id"),
    )


class LeadCounter(Base):
    """The last reference number handed out per year."""

    __tablename__ = "lead_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class LeadStatusChange(Base):
    __tablename__ = "lead_status_change"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lead_id: Mapped[str] = mapped_column(ForeignKey("lead.id"), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    changed_by: Mapped[str] = mapped_column(String(200), nullable=False)
    changed_by_id: Mapped[str | None] = mapped_column(String(36))
    changed_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    __table_args__ = (Index("ix_lead_status_change_lead_id", "lead_id"),)


class LeadAddition(Base):
    """Information added to a lead after it arrived, by the tipster with the receipt code."""

    __tablename__ = "lead_addition"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lead_id: Mapped[str] = mapped_column(ForeignKey("lead.id"), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    added_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    __table_args__ = (Index("ix_lead_addition_lead_id", "lead_id"),)


class LeadKey(Base):
    """A normalised identifier of a lead: E.164 phone, e-mail, name, place or a text band."""

    __tablename__ = "lead_key"

    lead_id: Mapped[str] = mapped_column(ForeignKey("lead.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)

    __table_args__ = (Index("ix_lead_key_kind_value", "kind", "value"),)


class LeadSimilarity(Base):
    """Why two leads were grouped: the lead whose keys were computed, the lead it matched, the shared keys."""

    __tablename__ = "lead_similarity"

    lead_id: Mapped[str] = mapped_column(ForeignKey("lead.id"), primary_key=True)
    other_id: Mapped[str] = mapped_column(ForeignKey("lead.id"), primary_key=True)
    reasons: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    # Jaccard similarity of the two texts' word shingles, 0 to 1.
    text_score: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    found_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    __table_args__ = (Index("ix_lead_similarity_other_id", "other_id"),)


class RateLimitWindow(Base):
    """Requests counted in one window for one client. The key is an HMAC, never the address itself.

    ``key_hash`` is HMAC-SHA256 over the scope, the client address and the window start under
    the key in ``CASETRAIL_LEADS__CLIENT_KEY``; rows of past windows are deleted.
    """

    __tablename__ = "rate_limit_window"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(32), nullable=False)
    window_start: Mapped[datetime] = mapped_column(nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (Index("ix_rate_limit_window_window_start", "window_start"),)

"""Tables of notifications, notification preferences, followed cases and e-mail deliveries.

A notification is derived from the outbox (or from the due-task check) and never edited except
to mark it read. It stores the kind, the case and object it points to and a short title such as
"Task assigned in 2026-0001"; it holds no case content, so it can be shown in an e-mail too.

``source_key`` names what caused a notification (``outbox:<seq>`` for an outbox event,
``due:<task id>:<due date>`` for a due task). The unique key (user, source, kind) makes a
replayed event or a repeated due check create nothing new.

``in_app`` False marks a notification the user chose to get by e-mail only: it exists for its
deliveries and is left out of the list, the count and the stream.

``seq`` numbers notifications in commit order: every writer holds the follower's cursor row
lock while it assigns ``max(seq) + 1`` (see ``notifications.writer``), so a live stream that
resumes after the last ``seq`` it sent misses nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.db.base import Base

DELIVERY_STATUSES = ("pending", "sending", "sent", "failed")


class Notification(Base):
    __tablename__ = "notification"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True, nullable=False)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    source_key: Mapped[str] = mapped_column(String(120), nullable=False)
    event_seq: Mapped[int | None] = mapped_column(BigInteger)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("case_file.id"))
    object_type: Mapped[str] = mapped_column(String(64), nullable=False)
    object_id: Mapped[str] = mapped_column(String(200), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    link: Mapped[str] = mapped_column(String(500), nullable=False)
    in_app: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        UniqueConstraint("user_id", "source_key", "kind", name="uq_notification_user_source_kind"),
        Index("ix_notification_user_seq", "user_id", "seq"),
        Index("ix_notification_user_read", "user_id", "read_at"),
    )


class NotificationPreference(Base):
    """A user's choice for one kind; a missing row means the kind's defaults."""

    __tablename__ = "notification_preference"

    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    in_app: Mapped[bool] = mapped_column(Boolean, nullable=False)
    email: Mapped[bool] = mapped_column(Boolean, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)


class NotificationAddress(Base):
    """The e-mail address a user receives notifications at. No row means no e-mail."""

    __tablename__ = "notification_address"

    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)


class CaseFollow(Base):
    """A user who follows a case and hears about new facts in it."""

    __tablename__ = "case_follow"

    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    __table_args__ = (Index("ix_case_follow_case_id", "case_id"),)


class EmailDelivery(Base):
    """One e-mail of one notification to one address.

    ``message_id`` is fixed when the row is created, so every attempt sends the same
    Message-ID header and a receiver can drop a second copy. A sender claims a row by setting
    ``status`` to sending with ``lease_until``; a row whose lease ran out is claimable again.
    """

    __tablename__ = "email_delivery"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    notification_id: Mapped[str] = mapped_column(ForeignKey("notification.id"), nullable=False)
    address: Mapped[str] = mapped_column(String(320), nullable=False)
    message_id: Mapped[str] = mapped_column(String(300), unique=True, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        UniqueConstraint("notification_id", "address", name="uq_email_delivery_notification_address"),
        Index("ix_email_delivery_status_next", "status", "next_attempt_at"),
    )

"""A user's own notifications: list, count, mark read, and read them as a live stream.

A user sees only their own notifications, and of those only the ones about cases and leads
they may see now (``notifications.currency``): access lost after a notification was created,
or a lead assigned to someone else, hides it again. Notifications the user chose to get by
e-mail only are never listed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from casetrail.auth import policy
from casetrail.auth.context import Actor, RequestContext
from casetrail.core.clock import utcnow
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.notifications import currency
from casetrail.notifications.models import Notification

MAX_PAGE = 200


def owner_id(ctx: RequestContext) -> str:
    """Return the id of the calling user, whose notifications a request reads or changes."""
    policy.require_authenticated(ctx)
    if ctx.actor.user_id is None:
        raise ValidationFailed("notifications belong to user accounts; the local operator has none")
    return ctx.actor.user_id


def _visible(session: Session, actor: Actor, user_id: str) -> ColumnElement[bool]:
    return (
        (Notification.user_id == user_id)
        & Notification.in_app
        & currency.current_condition(session, actor, user_id)
    )


def list_notifications(
    session: Session,
    ctx: RequestContext,
    *,
    unread_only: bool = False,
    before_seq: int | None = None,
    limit: int = 50,
) -> list[Notification]:
    """List the caller's notifications, newest first; ``before_seq`` pages further back."""
    user_id = owner_id(ctx)
    query = select(Notification).where(_visible(session, ctx.actor, user_id))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before_seq is not None:
        query = query.where(Notification.seq < before_seq)
    query = query.order_by(Notification.seq.desc()).limit(max(1, min(limit, MAX_PAGE)))
    return list(session.execute(query).scalars())


def unread_count(session: Session, actor: Actor) -> int:
    """Count the unread notifications of ``actor``; 0 for the operator and anonymous callers."""
    if actor.user_id is None:
        return 0
    query = select(func.count()).where(
        _visible(session, actor, actor.user_id), Notification.read_at.is_(None)
    )
    return int(session.execute(query).scalar_one())


def notifications_after(
    session: Session, actor: Actor, after_seq: int, limit: int = 100
) -> list[Notification]:
    """Return the actor's notifications with ``seq`` above ``after_seq``, oldest first (the stream)."""
    if actor.user_id is None:
        return []
    query = (
        select(Notification)
        .where(_visible(session, actor, actor.user_id), Notification.seq > after_seq)
        .order_by(Notification.seq)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def latest_seq(session: Session, actor: Actor) -> int:
    """Return the highest ``seq`` of the actor's notifications, where a new stream starts."""
    if actor.user_id is None:
        return 0
    query = select(func.max(Notification.seq)).where(Notification.user_id == actor.user_id)
    return int(session.execute(query).scalar_one_or_none() or 0)


def mark_read(session: Session, ctx: RequestContext, notification_id: str) -> Notification:
    user_id = owner_id(ctx)
    notification = session.execute(
        select(Notification).where(Notification.id == notification_id, _visible(session, ctx.actor, user_id))
    ).scalar_one_or_none()
    if notification is None:
        raise NotFound(f"notification {notification_id} not found")
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.flush()
    return notification


def mark_all_read(session: Session, ctx: RequestContext) -> int:
    """Mark every unread notification of the caller read; return how many changed."""
    user_id = owner_id(ctx)
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0))

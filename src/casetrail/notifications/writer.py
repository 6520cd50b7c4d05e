"""Creating notifications and their e-mail deliveries: the one place that inserts them.

Every writer first locks the follower's cursor row (``lock_writers``) and holds it until
commit, so notifications take their ``seq`` in commit order (on SQLite the database write lock
does the same). A draft becomes a notification only for an active user who may see the case it
names (asked of ``auth.policy``) and who wants that kind. The unique key (user, source, kind)
turns a repeated draft into nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.models import User
from casetrail.auth.policy import LeadGuard
from casetrail.auth.service import actor_for
from casetrail.cases.access import guard_for
from casetrail.cases.models import Case
from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.core.settings import Settings
from casetrail.db.outbox import OutboxCursor
from casetrail.notifications.kinds import KINDS, NotificationKind, title_for
from casetrail.notifications.models import (
    EmailDelivery,
    Notification,
    NotificationAddress,
    NotificationPreference,
)

CONSUMER = "notifications"


@dataclass(frozen=True)
class Draft:
    """A notification the follower would like to create; the writer decides whether it does."""

    user_id: str
    kind: NotificationKind
    source_key: str
    object_type: str
    object_id: str
    link: str
    case_id: str | None = None
    event_seq: int | None = None
    lead: LeadGuard | None = None
    """The lead a lead notification names; the policy decides on it as it does on a case."""


@dataclass(frozen=True)
class Choice:
    in_app: bool
    email: bool


def lock_writers(session: Session) -> int:
    """Lock the follower's cursor row (creating it on first use) and return its ``last_seq``."""
    cursor = session.get(OutboxCursor, CONSUMER, with_for_update=True)
    if cursor is None:
        cursor = OutboxCursor(consumer=CONSUMER, last_seq=0, updated_at=utcnow())
        session.add(cursor)
        session.flush()
    return cursor.last_seq


def preference_for(session: Session, user_id: str, kind: NotificationKind) -> Choice:
    row = session.get(NotificationPreference, (user_id, kind.value))
    if row is None:
        info = KINDS[kind]
        return Choice(in_app=info.in_app, email=info.email)
    return Choice(in_app=row.in_app, email=row.email)


def message_id_for(delivery_id: str, from_address: str) -> str:
    """Return a Message-ID that stays the same on every attempt, e.g. ``<id@agency.example>``."""
    domain = from_address.rpartition("@")[2].strip(" >") or "casetrail.invalid"
    return f"<{delivery_id}@{domain}>"


def _reference(draft: Draft, case: Case | None) -> str | None:
    """Return the lead reference or case number that the notification's title names."""
    if draft.lead is not None:
        return draft.lead.reference
    return case.number if case is not None else None


class NotificationWriter:
    """The creator of notifications from drafts, inside one transaction that called ``lock_writers``."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.created: list[Notification] = []
        highest = session.execute(select(func.max(Notification.seq))).scalar_one_or_none()
        self._next_seq = int(highest or 0) + 1

    def add(self, draft: Draft) -> Notification | None:
        """Create the notification of ``draft``; return None when it must not or need not exist."""
        user = self.session.get(User, draft.user_id)
        if user is None or not user.active:
            return None
        case = self.session.get(Case, draft.case_id) if draft.case_id else None
        if draft.case_id is not None and (case is None or not self._may_see(user, case)):
            return None
        if draft.lead is not None and not self._may_see_lead(user, draft.lead):
            return None
        choice = preference_for(self.session, user.id, draft.kind)
        if not (choice.in_app or choice.email) or self._exists(draft):
            return None

        notification = Notification(
            seq=self._next_seq,
            user_id=user.id,
            kind=draft.kind.value,
            source_key=draft.source_key,
            event_seq=draft.event_seq,
            case_id=draft.case_id,
            object_type=draft.object_type,
            object_id=draft.object_id,
            title=title_for(draft.kind, _reference(draft, case)),
            link=draft.link,
            in_app=choice.in_app,
            created_at=utcnow(),
        )
        self._next_seq += 1
        self.session.add(notification)
        self.session.flush()
        if choice.email:
            self._queue_email(notification)
        self.created.append(notification)
        return notification

    def _may_see(self, user: User, case: Case) -> bool:
        recipient = actor_for(user)
        guard = guard_for(self.session, RequestContext(actor=recipient), case)
        supervised = policy.supervised_unit_ids(self.session, recipient)
        return policy.can_notify_about_case(recipient, guard, supervised)

    def _may_see_lead(self, user: User, lead: LeadGuard) -> bool:
        recipient = actor_for(user)
        return policy.can_notify_about_lead(recipient, lead, policy.triage_unit_ids(self.session, recipient))

    def _exists(self, draft: Draft) -> bool:
        found = self.session.execute(
            select(Notification.id).where(
                Notification.user_id == draft.user_id,
                Notification.source_key == draft.source_key,
                Notification.kind == draft.kind.value,
            )
        ).first()
        return found is not None

    def _queue_email(self, notification: Notification) -> None:
        if not self.settings.mail.host:
            return
        address = self.session.get(NotificationAddress, notification.user_id)
        if address is None:
            return
        delivery_id = new_id()
        self.session.add(
            EmailDelivery(
                id=delivery_id,
                notification_id=notification.id,
                address=address.email,
                message_id=message_id_for(delivery_id, self.settings.mail.from_address),
                status="pending",
                attempts=0,
                next_attempt_at=notification.created_at,
                created_at=notification.created_at,
            )
        )

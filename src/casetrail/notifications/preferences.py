"""A user's notification choices: per kind in-app and e-mail switches, and the e-mail address."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from casetrail.auth.context import RequestContext
from casetrail.core.clock import utcnow
from casetrail.core.errors import ValidationFailed
from casetrail.core.settings import Settings
from casetrail.notifications.kinds import KINDS, NotificationKind
from casetrail.notifications.models import NotificationAddress, NotificationPreference
from casetrail.notifications.service import owner_id
from casetrail.notifications.writer import Choice, preference_for

# A plain check that catches typing errors; the SMTP server has the last word on an address.
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
MAX_EMAIL_LENGTH = 320


@dataclass(frozen=True)
class KindChoice:
    kind: NotificationKind
    label: str
    in_app: bool
    email: bool


@dataclass(frozen=True)
class Preferences:
    choices: list[KindChoice]
    email_address: str | None
    email_enabled: bool
    """False when the server has no SMTP server configured, so no e-mail goes out at all."""


def get_preferences(session: Session, ctx: RequestContext, settings: Settings) -> Preferences:
    user_id = owner_id(ctx)
    choices = []
    for kind, info in KINDS.items():
        choice = preference_for(session, user_id, kind)
        choices.append(KindChoice(kind=kind, label=info.label, in_app=choice.in_app, email=choice.email))
    address = session.get(NotificationAddress, user_id)
    return Preferences(
        choices=choices,
        email_address=address.email if address else None,
        email_enabled=bool(settings.mail.host),
    )


def parse_kind(value: str) -> NotificationKind:
    try:
        return NotificationKind(value)
    except ValueError:
        raise ValidationFailed(
            f"unknown notification kind {value!r}: choose one of {', '.join(NotificationKind)}",
            {"kind": "unknown"},
        ) from None


def set_preferences(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    choices: Mapping[NotificationKind, Choice],
) -> Preferences:
    """Store the caller's choices for the kinds given; kinds left out keep their choice."""
    user_id = owner_id(ctx)
    now = utcnow()
    for kind, choice in choices.items():
        row = session.get(NotificationPreference, (user_id, kind.value))
        if row is None:
            row = NotificationPreference(user_id=user_id, kind=kind.value, in_app=True, email=True)
            session.add(row)
        row.in_app = choice.in_app
        row.email = choice.email
        row.updated_at = now
    session.flush()
    return get_preferences(session, ctx, settings)


def set_email_address(
    session: Session, ctx: RequestContext, settings: Settings, email: str | None
) -> Preferences:
    """Set the address notification e-mail goes to; an empty value stops e-mail to the caller."""
    user_id = owner_id(ctx)
    value = (email or "").strip()
    row = session.get(NotificationAddress, user_id)
    if not value:
        if row is not None:
            session.delete(row)
            session.flush()
        return get_preferences(session, ctx, settings)
    if len(value) > MAX_EMAIL_LENGTH or not _EMAIL.match(value):
        raise ValidationFailed(
            f"invalid e-mail address {value!r}: give one address such as name@agency.example",
            {"email": "not an e-mail address"},
        )
    if row is None:
        session.add(NotificationAddress(user_id=user_id, email=value, updated_at=utcnow()))
    else:
        row.email = value
        row.updated_at = utcnow()
    session.flush()
    return get_preferences(session, ctx, settings)

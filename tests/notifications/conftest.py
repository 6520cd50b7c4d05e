"""Notification fixtures: a case led by alice with carol on it, bob outside it, and an SMTP port.

``settings`` point the mailer at a port on 127.0.0.1 where the test may or may not run an
aiosmtpd server (``smtp``), so the same settings serve "server up" and "server down".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import RequestContext, operator_context
from casetrail.auth.models import User
from casetrail.cases.members import add_member
from casetrail.cases.models import Case
from casetrail.core.settings import MailSettings, Settings
from casetrail.db.engine import transaction
from casetrail.notifications.follower import follow_until_caught_up
from casetrail.notifications.models import Notification
from casetrail.notifications.preferences import set_email_address
from tests.factories import context_for, make_case, make_user
from tests.support.smtp import SmtpServer, free_port


@dataclass
class World:
    factory: sessionmaker[Session]
    settings: Settings
    case: Case
    alice: User
    carol: User
    bob: User

    @property
    def number(self) -> str:
        return self.case.number

    def ctx(self, user: User) -> RequestContext:
        return context_for(user)

    def sync(self) -> int:
        """Run the follower until it has caught up; return the notifications it created."""
        return follow_until_caught_up(self.factory, self.settings).notifications

    def notifications(self, user: User) -> list[Notification]:
        with transaction(self.factory) as session:
            query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.seq)
            return list(session.execute(query).scalars())

    def kinds(self, user: User) -> list[str]:
        return [row.kind for row in self.notifications(user)]


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mail_settings(settings: Settings, smtp_port: int) -> Settings:
    mail = MailSettings(
        host="127.0.0.1",
        port=smtp_port,
        security="none",
        from_address="casetrail@agency.example",
        base_url="https://casetrail.agency.example",
        timeout_seconds=5,
    )
    return settings.model_copy(update={"mail": mail})


@pytest.fixture
def smtp(smtp_port: int) -> Iterator[SmtpServer]:
    server = SmtpServer(smtp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def world(factory: sessionmaker[Session], mail_settings: Settings) -> World:
    alice = make_user(factory, "alice", unit="Unit A")
    carol = make_user(factory, "carol", role="analyst", unit="Unit A")
    bob = make_user(factory, "bob", unit="Unit B")
    case = make_case(factory, "alice", title="House on Elm St", number="2026-0142")
    with transaction(factory) as session:
        add_member(session, operator_context(), case.number, username="carol", role="analyst")
    for user in (alice, carol, bob):
        with transaction(factory) as session:
            set_email_address(session, context_for(user), mail_settings, f"{user.username}@agency.example")
    return World(factory, mail_settings, case, alice, carol, bob)

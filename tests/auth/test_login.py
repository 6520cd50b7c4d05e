"""Login, lockout, one-time codes, session timeouts and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.auth import service
from casetrail.auth.context import operator_context
from casetrail.auth.models import User, UserSession
from casetrail.core.clock import utcnow
from casetrail.core.errors import ValidationFailed
from casetrail.core.settings import LoginSettings, SessionSettings, Settings
from casetrail.db.engine import transaction
from tests.factories import PASSWORD, make_user

SETTINGS = Settings(
    login=LoginSettings(max_failures=3, lockout_minutes=15),
    session=SessionSettings(idle_minutes=30, absolute_hours=12),
)


def _login(factory: sessionmaker[Session], password: str, code: str | None = None) -> object:
    with transaction(factory) as session:
        return service.login(
            session, operator_context(), SETTINGS, username="alice", password=password, totp_code=code
        )


def test_login_opens_session(factory: sessionmaker[Session]) -> None:
    make_user(factory, "alice")
    result = _login(factory, PASSWORD)
    assert isinstance(result, service.LoginResult)
    with transaction(factory) as session:
        resolved = service.resolve_session(session, SETTINGS, result.session_token)
        stored = session.execute(select(UserSession)).scalars().all()
    assert resolved is not None
    assert resolved.user.username == "alice"
    assert [row.token_hash for row in stored] == [service.token_digest(result.session_token)]


def test_wrong_password_counts_and_locks(factory: sessionmaker[Session]) -> None:
    make_user(factory, "alice")
    for _ in range(3):
        assert _login(factory, "wrong password!") is None
    assert _login(factory, PASSWORD) is None
    with transaction(factory) as session:
        user = session.execute(select(User).where(User.username == "alice")).scalar_one()
        reasons = [
            record.detail["reason"]
            for record in session.execute(
                select(AuditRecord).where(AuditRecord.action == "auth.login_failed").order_by(AuditRecord.seq)
            ).scalars()
        ]
        user.locked_until = utcnow() - timedelta(seconds=1)
    assert reasons == ["password", "password", "password", "locked"]
    assert _login(factory, PASSWORD) is not None


def test_unknown_user_fails_like_wrong_password(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        result = service.login(session, operator_context(), SETTINGS, username="nobody", password="x" * 12)
    assert result is None


def test_totp_required_when_enabled(factory: sessionmaker[Session]) -> None:
    make_user(factory, "alice")
    with transaction(factory) as session:
        uri = service.enable_totp(session, operator_context(), "alice")
    secret = pyotp.parse_uri(uri).secret
    assert _login(factory, PASSWORD) is None
    current = pyotp.TOTP(secret).now()
    wrong = f"{(int(current) + 500_000) % 1_000_000:06d}"
    assert _login(factory, PASSWORD, wrong) is None
    assert _login(factory, PASSWORD, current) is not None


def test_idle_session_expires(factory: sessionmaker[Session]) -> None:
    make_user(factory, "alice")
    result = _login(factory, PASSWORD)
    assert isinstance(result, service.LoginResult)
    with transaction(factory) as session:
        row = session.get(UserSession, service.token_digest(result.session_token))
        assert row is not None
        row.last_seen_at = utcnow() - timedelta(minutes=31)
    with transaction(factory) as session:
        assert service.resolve_session(session, SETTINGS, result.session_token) is None


def test_logout_ends_session(factory: sessionmaker[Session]) -> None:
    make_user(factory, "alice")
    result = _login(factory, PASSWORD)
    assert isinstance(result, service.LoginResult)
    with transaction(factory) as session:
        service.logout(session, operator_context(), result.session_token)
    with transaction(factory) as session:
        assert service.resolve_session(session, SETTINGS, result.session_token) is None


def test_api_token_resolves_until_expiry(factory: sessionmaker[Session]) -> None:
    make_user(factory, "alice")
    with transaction(factory) as session:
        token = service.create_api_token(session, operator_context(), "alice", "laptop", days=1)
    with transaction(factory) as session:
        user = service.resolve_api_token(session, token)
        assert user is not None
        assert user.username == "alice"
        assert service.resolve_api_token(session, token + "x") is None


def test_short_password_rejected(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session, pytest.raises(ValidationFailed) as raised:
        service.create_user(
            session, operator_context(), Settings(), username="eve", password="short", role="analyst"
        )
    assert "password" in raised.value.errors

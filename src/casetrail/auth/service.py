"""Accounts, login, browser sessions and API tokens."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import Actor, RequestContext
from casetrail.auth.models import ApiToken, Unit, User, UserSession
from casetrail.auth.passwords import hash_password, needs_rehash, verify_password
from casetrail.auth.roles import Role, Sensitivity
from casetrail.core.clock import utcnow
from casetrail.core.errors import Conflict, NotFound, ValidationFailed
from casetrail.core.ids import new_token
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings

log = get_logger(__name__)

USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
# Sessions touched less than this long ago are not rewritten on every request.
_LAST_SEEN_GRANULARITY = timedelta(seconds=60)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        clearance=Sensitivity(user.clearance),
        unit_id=user.unit_id,
    )


# -- units and accounts ---------------------------------------------------------------------


def create_unit(session: Session, ctx: RequestContext, name: str, parent_name: str | None = None) -> Unit:
    policy.require_user_admin(ctx)
    if session.execute(select(Unit).where(Unit.name == name)).scalar_one_or_none():
        raise Conflict(f"unit {name!r} already exists")
    parent_id = None
    if parent_name is not None:
        parent_id = get_unit_by_name(session, parent_name).id
    unit = Unit(name=name, parent_id=parent_id)
    session.add(unit)
    session.flush()
    record(session, ctx.audit_source, AuditAction.UNIT_CREATE, object_type="unit", object_id=unit.id)
    return unit


def get_unit_by_name(session: Session, name: str) -> Unit:
    unit = session.execute(select(Unit).where(Unit.name == name)).scalar_one_or_none()
    if unit is None:
        raise NotFound(f"unit {name!r} not found")
    return unit


def get_or_create_unit(session: Session, ctx: RequestContext, name: str) -> Unit:
    unit = session.execute(select(Unit).where(Unit.name == name)).scalar_one_or_none()
    return unit if unit is not None else create_unit(session, ctx, name)


def unit_names(session: Session, unit_ids: list[str | None]) -> dict[str, str]:
    """Map the given unit ids to unit names, for showing accounts; unknown ids are left out."""
    wanted = sorted({unit_id for unit_id in unit_ids if unit_id})
    if not wanted:
        return {}
    rows = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted)))
    return dict(rows.all())


def validate_password(settings: Settings, password: str) -> None:
    minimum = settings.login.min_password_length
    if len(password) < minimum:
        raise ValidationFailed(
            f"password is too short: use at least {minimum} characters",
            {"password": f"shorter than {minimum} characters"},
        )


def create_user(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    clearance: str = Sensitivity.CONFIDENTIAL,
    unit_name: str | None = None,
) -> User:
    policy.require_user_admin(ctx)
    errors: dict[str, str] = {}
    if not USERNAME_PATTERN.match(username):
        errors["username"] = (
            f"invalid username {username!r}: use 2-64 lowercase letters, digits, '.', '_' or '-',"
            " starting with a letter"
        )
    if role not in set(Role):
        errors["role"] = f"unknown role {role!r}: choose one of {', '.join(Role)}"
    if clearance not in set(Sensitivity):
        errors["clearance"] = f"unknown clearance {clearance!r}: choose one of {', '.join(Sensitivity)}"
    if errors:
        raise ValidationFailed("invalid account", errors)
    validate_password(settings, password)
    if session.execute(select(User.id).where(User.username == username)).first():
        raise Conflict(f"user {username!r} already exists")

    unit_id = get_or_create_unit(session, ctx, unit_name).id if unit_name else None
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        clearance=clearance,
        unit_id=unit_id,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.USER_CREATE,
        object_type="user",
        object_id=user.id,
        detail={"role": role, "clearance": clearance, "unit_id": unit_id},
    )
    log.info("user_created", user_id=user.id, role=role)
    return user


def get_user_by_name(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"user {username!r} not found")
    return user


def list_users(session: Session, ctx: RequestContext) -> list[User]:
    policy.require_user_admin(ctx)
    record(session, ctx.audit_source, AuditAction.USER_LIST, object_type="user")
    return list(session.execute(select(User).order_by(User.username)).scalars())


def enable_totp(session: Session, ctx: RequestContext, username: str) -> str:
    """Give the account a new TOTP secret and return its provisioning URI for an authenticator."""
    policy.require_user_admin(ctx)
    user = get_user_by_name(session, username)
    secret = pyotp.random_base32()
    user.totp_secret = secret
    record(
        session,
        ctx.audit_source,
        AuditAction.USER_UPDATE,
        object_type="user",
        object_id=user.id,
        detail={"fields": ["totp_secret"]},
    )
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="Casetrail")


# -- login and sessions ---------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    user: User
    session_token: str
    csrf_token: str


def login(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    *,
    username: str,
    password: str,
    totp_code: str | None = None,
) -> LoginResult | None:
    """Check credentials and open a session; return None when the login fails.

    A failure is recorded (audit entry, failure count) in the session, so the caller commits
    before it reports the failure. Every failure looks the same to the person logging in.

    Failed attempts are counted per account; after ``login.max_failures`` in a row the account
    is locked for ``login.lockout_minutes`` whatever password is given.
    """
    now = utcnow()
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    password_ok = verify_password(user.password_hash if user else None, password)

    reason = _login_refusal(user, password_ok, totp_code, now)
    if reason is not None:
        if user is not None and reason in ("password", "totp"):
            user.failed_logins += 1
            if user.failed_logins >= settings.login.max_failures:
                user.locked_until = now + timedelta(minutes=settings.login.lockout_minutes)
                log.warning("account_locked", user_id=user.id)
        record(
            session,
            ctx.audit_source,
            AuditAction.LOGIN_FAILED,
            object_type="user",
            object_id=user.id if user else None,
            outcome="failure",
            detail={"username": username, "reason": reason},
        )
        return None

    assert user is not None  # _login_refusal returns a reason when user is None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)

    token = new_token()
    csrf = new_token(24)
    session.add(
        UserSession(
            token_hash=token_digest(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session.absolute_hours),
            client_addr=ctx.client_addr,
        )
    )
    # The request is anonymous until this point; the record names the account that logged in.
    source = replace(ctx.audit_source, actor_id=user.id, actor_name=user.username)
    record(session, source, AuditAction.LOGIN, object_type="user", object_id=user.id)
    return LoginResult(user=user, session_token=token, csrf_token=csrf)


def _login_refusal(user: User | None, password_ok: bool, totp_code: str | None, now: datetime) -> str | None:
    if user is None:
        return "unknown_user"
    if not user.active:
        return "inactive"
    if user.locked_until is not None and user.locked_until > now:
        return "locked"
    if not password_ok:
        return "password"
    if user.totp_secret and not (
        totp_code and pyotp.TOTP(user.totp_secret).verify(totp_code, valid_window=1)
    ):
        return "totp"
    return None


@dataclass(frozen=True)
class ResolvedSession:
    user: User
    csrf_token: str


def resolve_session(session: Session, settings: Settings, token: str) -> ResolvedSession | None:
    """Return the live session for a cookie value, or None if it is unknown, ended or idle."""
    row = session.get(UserSession, token_digest(token))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    idle_limit = row.last_seen_at + timedelta(minutes=settings.session.idle_minutes)
    if now >= row.expires_at or now >= idle_limit:
        row.revoked_at = now
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if now - row.last_seen_at > _LAST_SEEN_GRANULARITY:
        row.last_seen_at = now
    return ResolvedSession(user=user, csrf_token=row.csrf_token)


def logout(session: Session, ctx: RequestContext, token: str) -> None:
    row = session.get(UserSession, token_digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        record(session, ctx.audit_source, AuditAction.LOGOUT, object_type="user", object_id=row.user_id)


# -- API tokens -----------------------------------------------------------------------------


def create_api_token(
    session: Session, ctx: RequestContext, username: str, name: str, days: int | None = 90
) -> str:
    """Create a bearer token for ``username`` and return it; only its hash is kept."""
    # Check before the lookup, so that a refusal does not tell whether the account exists.
    if not (ctx.actor.username == username or ctx.actor.is_operator):
        policy.require_user_admin(ctx)
    user = get_user_by_name(session, username)
    token = "ctk_" + new_token()
    expires = utcnow() + timedelta(days=days) if days else None
    row = ApiToken(user_id=user.id, name=name, token_hash=token_digest(token), expires_at=expires)
    session.add(row)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.TOKEN_CREATE,
        object_type="api_token",
        object_id=row.id,
        detail={"user_id": user.id},
    )
    return token


def resolve_api_token(session: Session, token: str) -> User | None:
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == token_digest(token))
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > _LAST_SEEN_GRANULARITY:
        row.last_used_at = now
    return user

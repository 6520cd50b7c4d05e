"""Setting a new password for an account on behalf of its owner (administrators, local operator)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.models import User, UserSession
from casetrail.auth.passwords import hash_password
from casetrail.auth.service import get_user_by_name, validate_password
from casetrail.core.clock import utcnow
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings

log = get_logger(__name__)


def reset_password(
    session: Session, ctx: RequestContext, settings: Settings, *, username: str, password: str
) -> User:
    """Replace the password of ``username``, unlock the account and end its browser sessions.

    Ending the sessions means that whoever held the old password is logged out. API tokens
    stay valid because they are revoked one by one.
    """
    policy.require_user_admin(ctx)
    user = get_user_by_name(session, username)
    validate_password(settings, password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    live_sessions = list(
        session.execute(
            select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        ).scalars()
    )
    now = utcnow()
    for user_session in live_sessions:
        user_session.revoked_at = now
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.USER_UPDATE,
        object_type="user",
        object_id=user.id,
        detail={"fields": ["password_hash"], "sessions_ended": len(live_sessions)},
    )
    log.info("password_reset", user_id=user.id, sessions_ended=len(live_sessions))
    return user

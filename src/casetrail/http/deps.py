"""FastAPI dependencies: one transaction per request, and who the caller is.

Each request runs in one database transaction that commits before the response is sent
(``scope="function"``), so the audit records of a read commit with the read. When the policy
denies a request, the transaction rolls back and the denial is audited in a transaction of
its own.

Callers authenticate with the session cookie (browser) or an ``Authorization: Bearer`` API token
(scripts, CLI). Unsafe methods authenticated by cookie must carry the session's CSRF token in
the ``X-CSRF-Token`` header or a ``csrf_token`` form field.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from casetrail.audit.service import record_denial
from casetrail.auth import service as auth_service
from casetrail.auth.context import RequestContext, anonymous_context
from casetrail.auth.models import User
from casetrail.core.errors import AuthenticationFailed, Hidden, PermissionDenied
from casetrail.core.ids import new_id
from casetrail.core.logging import get_logger
from casetrail.http.state import AppState, get_state

log = get_logger(__name__)

SESSION_COOKIE = "casetrail_session"
PURPOSE_HEADER = "X-Casetrail-Purpose"
CSRF_HEADER = "X-CSRF-Token"
_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def request_id_for(request: Request) -> str:
    existing = getattr(request.state, "request_id", None)
    if existing:
        return str(existing)
    given = request.headers.get("X-Request-ID", "")
    request_id = given if _REQUEST_ID_PATTERN.match(given) else new_id()
    request.state.request_id = request_id
    return request_id


def client_addr_for(request: Request) -> str | None:
    # NOTE: behind a reverse proxy this is the proxy's address; run uvicorn with
    # --proxy-headers and --forwarded-allow-ips so that it becomes the client's.
    return request.client.host if request.client else None


def db_session(request: Request) -> Iterator[Session]:
    state = get_state(request)
    session = state.factory()
    try:
        yield session
        session.commit()
    except (Hidden, PermissionDenied) as error:
        session.rollback()
        _audit_denial(request, state, error)
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _audit_denial(request: Request, state: AppState, error: Hidden | PermissionDenied) -> None:
    ctx: RequestContext | None = getattr(request.state, "ctx", None)
    if ctx is None:
        return
    try:
        record_denial(
            state.factory,
            ctx.audit_source,
            attempted=error.attempted,
            object_type=error.object_type,
            object_id=error.object_id,
            reason=error.code,
        )
    except Exception:
        log.exception("denial_audit_failed", request_id=ctx.request_id, actor_id=ctx.actor.user_id)
    log.info(
        "access_denied",
        request_id=ctx.request_id,
        actor_id=ctx.actor.user_id,
        attempted=error.attempted,
        object_id=error.object_id,
    )


DbSession = Annotated[Session, Depends(db_session, scope="function")]


@dataclass(frozen=True)
class Identity:
    user: User | None
    via: str | None  # "session", "token" or None
    csrf_token: str | None
    session_token: str | None


def resolve_identity(request: Request, session: DbSession) -> Identity:
    cached: Identity | None = getattr(request.state, "identity", None)
    if cached is not None:
        return cached
    settings = get_state(request).settings
    identity = Identity(user=None, via=None, csrf_token=None, session_token=None)
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        user = auth_service.resolve_api_token(session, authorization[7:].strip())
        if user is None:
            raise AuthenticationFailed("invalid or expired API token")
        identity = Identity(user=user, via="token", csrf_token=None, session_token=None)
    elif cookie := request.cookies.get(SESSION_COOKIE):
        resolved = auth_service.resolve_session(session, settings, cookie)
        if resolved is not None:
            identity = Identity(
                user=resolved.user, via="session", csrf_token=resolved.csrf_token, session_token=cookie
            )
    request.state.identity = identity
    return identity


async def verify_csrf(request: Request, identity: Annotated[Identity, Depends(resolve_identity)]) -> None:
    if request.method in _SAFE_METHODS or identity.via != "session":
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not given or not identity.csrf_token or not hmac.compare_digest(given, identity.csrf_token):
        raise PermissionDenied(
            "missing or invalid CSRF token: reload the page and submit again", attempted="csrf"
        )


def _context(request: Request, identity: Identity) -> RequestContext:
    request_id = request_id_for(request)
    addr = client_addr_for(request)
    if identity.user is None:
        return anonymous_context(addr, request_id)
    purpose = request.headers.get(PURPOSE_HEADER) or request.query_params.get("purpose") or None
    ctx = RequestContext(
        actor=auth_service.actor_for(identity.user),
        client_addr=addr,
        request_id=request_id,
        purpose=purpose[:500] if purpose else None,
    )
    request.state.ctx = ctx
    return ctx


def current_context(
    request: Request,
    identity: Annotated[Identity, Depends(resolve_identity)],
    _csrf: Annotated[None, Depends(verify_csrf)],
) -> RequestContext:
    """Return the caller's context; raise ``AuthenticationFailed`` for anonymous callers."""
    if identity.user is None:
        raise AuthenticationFailed("log in or send an API token")
    return _context(request, identity)


def optional_context(
    request: Request, identity: Annotated[Identity, Depends(resolve_identity)]
) -> RequestContext:
    return _context(request, identity)


Ctx = Annotated[RequestContext, Depends(current_context)]
OptionalCtx = Annotated[RequestContext, Depends(optional_context)]
CurrentIdentity = Annotated[Identity, Depends(resolve_identity)]

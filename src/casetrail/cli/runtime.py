"""Settings, transactions and the acting identity for CLI commands.

Administrative commands act as the local operator: whoever runs them holds the database
credentials, and the audit trail names their operating-system account. Commands that read or
change case data act as a user, identified by an API token in ``CASETRAIL_TOKEN``, and go
through the same policy as the API. As in the API, a denied command rolls back its transaction
and the denial is audited in a transaction of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.service import record_denial
from casetrail.auth.context import RequestContext, operator_context
from casetrail.auth.service import actor_for, resolve_api_token
from casetrail.core.errors import AuthenticationFailed, Hidden, PermissionDenied
from casetrail.core.ids import new_id
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings, get_settings
from casetrail.db.engine import engine_for, session_factory, transaction

log = get_logger(__name__)

TOKEN_ENV = "CASETRAIL_TOKEN"
CLIENT_ADDR = "local"

_TOKEN_HELP = (
    "an administrator creates one with `casetrail user token USERNAME --name NAME`, "
    f"then `export {TOKEN_ENV}=<token>`"
)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    factory: sessionmaker[Session]

    @property
    def database_display(self) -> str:
        """The database URL with any password masked, for messages."""
        return make_url(self.settings.resolved_database_url).render_as_string(hide_password=True)


def current_runtime() -> Runtime:
    settings = get_settings()
    engine = engine_for(settings.resolved_database_url)
    return Runtime(settings=settings, factory=session_factory(engine))


@contextmanager
def operator_transaction(runtime: Runtime) -> Iterator[tuple[Session, RequestContext]]:
    """Run a block as the local operator in one transaction."""
    with transaction(runtime.factory) as session:
        yield session, operator_context(request_id=new_id())


@contextmanager
def user_transaction(runtime: Runtime) -> Iterator[tuple[Session, RequestContext]]:
    """Run a block as the user that owns the API token in ``CASETRAIL_TOKEN``.

    Commits on success. A denial (``Hidden``, ``PermissionDenied``) rolls back and is audited
    before it propagates, so a hidden case leaves the same trace as it does through the API.
    """
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise AuthenticationFailed(f"no API token: set {TOKEN_ENV}; {_TOKEN_HELP}")
    session = runtime.factory()
    ctx: RequestContext | None = None
    try:
        user = resolve_api_token(session, token)
        if user is None:
            raise AuthenticationFailed(
                f"the API token in {TOKEN_ENV} is invalid, expired or revoked; {_TOKEN_HELP}"
            )
        ctx = RequestContext(actor=actor_for(user), client_addr=CLIENT_ADDR, request_id=new_id())
        yield session, ctx
        session.commit()
    except (Hidden, PermissionDenied) as error:
        session.rollback()
        if ctx is not None:
            _audit_denial(runtime, ctx, error)
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _audit_denial(runtime: Runtime, ctx: RequestContext, error: Hidden | PermissionDenied) -> None:
    # A failed audit write is logged and the denial still reaches the user, as in the API.
    try:
        record_denial(
            runtime.factory,
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

"""The acting user and the origin of a request. Every service call takes a ``RequestContext``."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, replace

from casetrail.audit.service import AuditSource
from casetrail.auth.roles import Role, Sensitivity


@dataclass(frozen=True)
class Actor:
    user_id: str | None
    username: str
    role: Role | None
    clearance: Sensitivity
    unit_id: str | None = None
    is_operator: bool = False
    """True for a local operator running administrative CLI commands on the server.

    Whoever runs those commands already has the database credentials, so policy lets them
    act, and the audit trail names them by their operating-system account.
    """


@dataclass(frozen=True)
class RequestContext:
    actor: Actor
    client_addr: str | None = None
    request_id: str | None = None
    purpose: str | None = None

    @property
    def audit_source(self) -> AuditSource:
        return AuditSource(
            actor_id=self.actor.user_id,
            actor_name=self.actor.username,
            client_addr=self.client_addr,
            request_id=self.request_id,
            purpose=self.purpose,
        )

    def with_purpose(self, purpose: str | None) -> RequestContext:
        return replace(self, purpose=purpose)


def operator_context(request_id: str | None = None) -> RequestContext:
    """Return the context of a local CLI operator, named after the operating-system user."""
    try:
        os_user = getpass.getuser()
    except OSError:
        os_user = "unknown"
    actor = Actor(
        user_id=None,
        username=f"operator:{os_user}",
        role=None,
        clearance=Sensitivity.SECRET,
        is_operator=True,
    )
    return RequestContext(actor=actor, client_addr="local", request_id=request_id)


def anonymous_context(client_addr: str | None, request_id: str | None) -> RequestContext:
    actor = Actor(user_id=None, username="anonymous", role=None, clearance=Sensitivity.UNCLASSIFIED)
    return RequestContext(actor=actor, client_addr=client_addr, request_id=request_id)

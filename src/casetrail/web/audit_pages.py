"""The audit trail for auditors: the latest records with filters, and chain verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from casetrail.audit.actions import AuditAction
from casetrail.auth import policy
from casetrail.auth import service as auth_service
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.http.deps import Ctx, DbSession
from casetrail.oversight import service as oversight
from casetrail.web.templating import render

router = APIRouter()

AUDIT_PAGE_SIZE = 100


@router.get("/audit")
def audit_page(
    *,
    request: Request,
    session: DbSession,
    ctx: Ctx,
    action: Annotated[str, Query(max_length=64)] = "",
    actor: Annotated[str, Query(max_length=64)] = "",
    case_id: Annotated[str, Query(max_length=36)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    # Checked before the filters are looked up, so that only auditors learn which accounts exist.
    policy.require_audit_read(ctx)
    if action and action not in set(AuditAction):
        raise ValidationFailed(
            f"unknown audit action {action!r}", {"action": "choose an action from the list"}
        )
    actor_id = _actor_id(session, actor.strip()) if actor.strip() else None
    rows = oversight.read_trail(
        session,
        ctx,
        case_id=case_id.strip() or None,
        actor_id=actor_id,
        action=action or None,
        before_seq=before,
        newest_first=True,
        limit=AUDIT_PAGE_SIZE,
    )
    filters = {"action": action, "actor": actor, "case_id": case_id}
    older = rows[-1].seq if len(rows) == AUDIT_PAGE_SIZE else None
    context = {"records": rows, "filters": filters, "older": older, "actions": [a.value for a in AuditAction]}
    return render(request, "audit.html", {**context, "report": None})


@router.get("/audit/verify")
def verify_page(request: Request, session: DbSession, ctx: Ctx) -> HTMLResponse:
    report = oversight.verify_trail(session, ctx)
    return render(request, "audit_verify.html", {"report": report})


def _actor_id(session: DbSession, username: str) -> str:
    try:
        return auth_service.get_user_by_name(session, username).id
    except NotFound:
        raise ValidationFailed(f"user {username!r} not found", {"actor": "no such user"}) from None

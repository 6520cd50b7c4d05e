"""The audit trail for auditors: the latest records with filters, and chain verification.

The audit context sits below auth in the layers, so its functions do not call the policy. These
pages ask the policy first and record each read in the trail itself, as the JSON API does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from casetrail.audit import service as audit_service
from casetrail.audit.actions import AuditAction
from casetrail.audit.verify import verify_chain
from casetrail.auth import policy
from casetrail.auth import service as auth_service
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.http.deps import Ctx, DbSession
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
    policy.require_audit_read(ctx)
    if action and action not in set(AuditAction):
        raise ValidationFailed(
            f"unknown audit action {action!r}", {"action": "choose an action from the list"}
        )
    actor_id = _actor_id(session, actor.strip()) if actor.strip() else None
    rows = audit_service.list_records(
        session,
        case_id=case_id.strip() or None,
        actor_id=actor_id,
        action=action or None,
        before_seq=before,
        newest_first=True,
        limit=AUDIT_PAGE_SIZE,
    )
    audit_service.record(
        session,
        ctx.audit_source,
        AuditAction.AUDIT_READ,
        object_type="audit_record",
        case_id=case_id.strip() or None,
        detail={"actor_id": actor_id, "action": action or None, "before_seq": before, "returned": len(rows)},
    )
    filters = {"action": action, "actor": actor, "case_id": case_id}
    older = rows[-1].seq if len(rows) == AUDIT_PAGE_SIZE else None
    context = {"records": rows, "filters": filters, "older": older, "actions": [a.value for a in AuditAction]}
    return render(request, "audit.html", {**context, "report": None})


@router.get("/audit/verify")
def verify_page(request: Request, session: DbSession, ctx: Ctx) -> HTMLResponse:
    policy.require_audit_read(ctx)
    report = verify_chain(session)
    audit_service.record(
        session,
        ctx.audit_source,
        AuditAction.AUDIT_VERIFY,
        object_type="audit_record",
        outcome="success" if report.ok else "failure",
        detail={"records_checked": report.records_checked, "ok": report.ok},
    )
    return render(request, "audit_verify.html", {"report": report})


def _actor_id(session: DbSession, username: str) -> str:
    try:
        return auth_service.get_user_by_name(session, username).id
    except NotFound:
        raise ValidationFailed(f"user {username!r} not found", {"actor": "no such user"}) from None

"""The audit trail for auditors: read records and verify the hash chain.

The audit context sits below auth in the layers, so its services cannot call the policy. This
router therefore calls the policy first and records the read in the trail itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from casetrail.api.openapi import error_responses
from casetrail.api.schemas.audit import AuditPage, AuditRecordOut, ChainReportOut
from casetrail.audit import service as audit_service
from casetrail.audit.actions import AuditAction
from casetrail.audit.verify import verify_chain
from casetrail.auth import policy
from casetrail.http.deps import Ctx, DbSession

router = APIRouter(prefix="/audit", tags=["audit"], responses=error_responses(403))

MAX_PAGE = 1000


@router.get("")
def list_records(
    *,
    session: DbSession,
    ctx: Ctx,
    case_id: str | None = None,
    actor_id: str | None = None,
    action: Annotated[str | None, Query(description="An action such as access.denied.")] = None,
    after_seq: Annotated[int, Query(ge=0, description="Return records after this sequence number.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> AuditPage:
    """List audit records in sequence order (auditors)."""
    policy.require_audit_read(ctx)
    rows = audit_service.list_records(
        session, case_id=case_id, actor_id=actor_id, action=action, after_seq=after_seq, limit=limit
    )
    audit_service.record(
        session,
        ctx.audit_source,
        AuditAction.AUDIT_READ,
        object_type="audit_record",
        case_id=case_id,
        detail={"actor_id": actor_id, "action": action, "after_seq": after_seq, "returned": len(rows)},
    )
    items = [AuditRecordOut.model_validate(row) for row in rows]
    next_after_seq = items[-1].seq if len(items) == limit else None
    return AuditPage(items=items, next_after_seq=next_after_seq)


@router.get("/verify")
def verify(
    session: DbSession,
    ctx: Ctx,
    expect_head: Annotated[
        str | None,
        Query(
            pattern="^[0-9a-f]{64}$",
            description="A head hash published earlier; verification fails unless the chain contains it.",
        ),
    ] = None,
) -> ChainReportOut:
    """Verify the hash chain from the first record to the ledger head (auditors)."""
    policy.require_audit_read(ctx)
    report = verify_chain(session, expect_head=expect_head)
    audit_service.record(
        session,
        ctx.audit_source,
        AuditAction.AUDIT_VERIFY,
        object_type="audit_record",
        outcome="success" if report.ok else "failure",
        detail={"records_checked": report.records_checked, "ok": report.ok},
    )
    return ChainReportOut.model_validate(report)

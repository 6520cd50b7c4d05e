"""The audit trail for auditors: read records and verify the hash chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from casetrail.api.openapi import error_responses
from casetrail.api.schemas.audit import AuditPage, AuditRecordOut, ChainReportOut
from casetrail.http.deps import Ctx, DbSession
from casetrail.oversight import service as oversight

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
    rows = oversight.read_trail(
        session, ctx, case_id=case_id, actor_id=actor_id, action=action, after_seq=after_seq, limit=limit
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
    report = oversight.verify_trail(session, ctx, expect_head=expect_head)
    return ChainReportOut.model_validate(report)

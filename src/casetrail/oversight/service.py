"""Audit-trail reads and chain verification for auditors.

The audit package sits below auth, so it cannot ask the policy who may read it; these services
sit above both. Every read and every verification is itself recorded in the trail.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from casetrail.audit import service as audit_service
from casetrail.audit.actions import AuditAction
from casetrail.audit.models import AuditRecord
from casetrail.audit.verify import ChainReport, verify_chain
from casetrail.auth import policy
from casetrail.auth.context import RequestContext


def read_trail(
    session: Session,
    ctx: RequestContext,
    *,
    case_id: str | None = None,
    actor_id: str | None = None,
    action: str | None = None,
    after_seq: int = 0,
    before_seq: int | None = None,
    newest_first: bool = False,
    limit: int = 100,
) -> list[AuditRecord]:
    """Return audit records matching the filters; only auditors and the local operator may."""
    policy.require_audit_read(ctx)
    rows = audit_service.list_records(
        session,
        case_id=case_id,
        actor_id=actor_id,
        action=action,
        after_seq=after_seq,
        before_seq=before_seq,
        newest_first=newest_first,
        limit=limit,
    )
    audit_service.record(
        session,
        ctx.audit_source,
        AuditAction.AUDIT_READ,
        object_type="audit_record",
        case_id=case_id,
        detail={
            "actor_id": actor_id,
            "action": action,
            "after_seq": after_seq,
            "before_seq": before_seq,
            "returned": len(rows),
        },
    )
    return rows


def verify_trail(session: Session, ctx: RequestContext, *, expect_head: str | None = None) -> ChainReport:
    """Verify the hash chain and record that it was verified, with the outcome."""
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
    return report

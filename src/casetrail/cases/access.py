"""Loading a case for an actor: the one path from a case number to a permission decision."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from casetrail.auth import policy
from casetrail.auth.context import Actor, RequestContext
from casetrail.auth.policy import CaseGuard, CasePermission
from casetrail.cases.models import Case, CaseMember
from casetrail.cases.workflow import FROZEN, CaseStatus
from casetrail.core.errors import Conflict, NotFound


@dataclass(frozen=True)
class CaseAccess:
    case: Case
    permissions: frozenset[str]

    def can(self, permission: CasePermission) -> bool:
        return permission in self.permissions


def visible_cases(session: Session, actor: Actor) -> ColumnElement[bool]:
    """Return the policy's condition on ``case_file`` rows for the cases ``actor`` may see.

    It goes into the caller's statement, so that counts and pages never include hidden cases.
    """
    member_case_ids = select(CaseMember.case_id).where(CaseMember.user_id == (actor.user_id or ""))
    return policy.visible_case_condition(
        session,
        actor,
        unit_column=Case.unit_id,
        sensitivity_column=Case.sensitivity,
        case_id_column=Case.id,
        member_case_ids=member_case_ids,
    )


def guard_for(session: Session, ctx: RequestContext, case: Case) -> CaseGuard:
    member_role = None
    if ctx.actor.user_id is not None:
        member_role = session.execute(
            select(CaseMember.role).where(
                CaseMember.case_id == case.id, CaseMember.user_id == ctx.actor.user_id
            )
        ).scalar_one_or_none()
    return CaseGuard(
        case_id=case.id,
        case_number=case.number,
        unit_id=case.unit_id,
        sensitivity=case.sensitivity,
        member_role=member_role,
    )


def open_case(
    session: Session,
    ctx: RequestContext,
    number: str,
    permission: CasePermission,
    attempted: str,
    *,
    lock: bool = False,
) -> CaseAccess:
    """Load case ``number`` and check ``permission``; a hidden case reads as not found."""
    query = select(Case).where(Case.number == number)
    if lock:
        query = query.with_for_update()
    case = session.execute(query).scalar_one_or_none()
    if case is None:
        raise NotFound(f"case {number} not found")
    granted = policy.require_case(session, ctx, guard_for(session, ctx, case), permission, attempted)
    return CaseAccess(case=case, permissions=granted)


def open_case_by_id(
    session: Session, ctx: RequestContext, case_id: str, permission: CasePermission, attempted: str
) -> CaseAccess:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    granted = policy.require_case(session, ctx, guard_for(session, ctx, case), permission, attempted)
    return CaseAccess(case=case, permissions=granted)


def ensure_not_frozen(case: Case) -> None:
    if CaseStatus(case.status) in FROZEN:
        raise Conflict(
            f"case {case.number} is {case.status}: its content is read-only; a supervisor can reopen it"
        )

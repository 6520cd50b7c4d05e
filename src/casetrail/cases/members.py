"""Case membership: who works a case and in which role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.models import User
from casetrail.auth.policy import CasePermission
from casetrail.auth.roles import CaseRole, Sensitivity
from casetrail.cases.access import open_case
from casetrail.cases.models import CaseMember
from casetrail.core.errors import Conflict, NotFound, ValidationFailed
from casetrail.db.outbox import emit


@dataclass(frozen=True)
class MemberView:
    user_id: str
    username: str
    display_name: str
    role: str
    added_by: str


def list_members(session: Session, ctx: RequestContext, number: str) -> list[MemberView]:
    access = open_case(session, ctx, number, CasePermission.READ, "case.read")
    rows = session.execute(
        select(CaseMember, User)
        .join(User, User.id == CaseMember.user_id)
        .where(CaseMember.case_id == access.case.id)
        .order_by(User.username)
    ).all()
    return [
        MemberView(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=member.role,
            added_by=member.added_by,
        )
        for member, user in rows
    ]


def add_member(session: Session, ctx: RequestContext, number: str, *, username: str, role: str) -> MemberView:
    """Add a user to a case, or change their role. Making someone lead replaces the old lead."""
    access = open_case(session, ctx, number, CasePermission.MANAGE, "case.member_add", lock=True)
    case = access.case
    try:
        case_role = CaseRole(role)
    except ValueError:
        raise ValidationFailed(
            f"unknown case role {role!r}", {"role": f"choose one of {', '.join(CaseRole)}"}
        ) from None
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        raise ValidationFailed(f"user {username!r} not found", {"username": "no such active user"})
    policy.require_case_member_eligible(user.role)
    if Sensitivity(user.clearance).rank < Sensitivity(case.sensitivity).rank:
        raise ValidationFailed(
            f"{username} is cleared to {user.clearance}, below the case label {case.sensitivity}",
            {"username": "clearance below the case label"},
        )

    member = session.get(CaseMember, (case.id, user.id))
    if member is not None and member.role == case_role:
        raise Conflict(f"{username} is already a member of case {number} as {case_role}")
    if case_role == CaseRole.LEAD and case.lead_id != user.id:
        old_lead = session.get(CaseMember, (case.id, case.lead_id))
        if old_lead is not None:
            old_lead.role = CaseRole.INVESTIGATOR
        case.lead_id = user.id
    if member is None:
        member = CaseMember(case_id=case.id, user_id=user.id, role=case_role, added_by=ctx.actor.username)
        session.add(member)
    else:
        if member.role == CaseRole.LEAD and case_role != CaseRole.LEAD:
            raise Conflict(f"{username} leads case {number}: make someone else lead first")
        member.role = case_role
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.MEMBER_ADD,
        object_type="case_member",
        object_id=user.id,
        case_id=case.id,
        detail={"role": case_role.value},
    )
    emit(
        session,
        object_type="case_member",
        object_id=f"{case.id}:{user.id}",
        operation="create",
        case_id=case.id,
    )
    return MemberView(user.id, user.username, user.display_name, member.role, member.added_by)


def remove_member(session: Session, ctx: RequestContext, number: str, *, username: str) -> None:
    access = open_case(session, ctx, number, CasePermission.MANAGE, "case.member_remove", lock=True)
    case = access.case
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    member = session.get(CaseMember, (case.id, user.id)) if user else None
    if user is None or member is None:
        raise NotFound(f"{username} is not a member of case {number}")
    if member.role == CaseRole.LEAD:
        raise Conflict(f"{username} leads case {number}: make someone else lead first")
    session.delete(member)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.MEMBER_REMOVE,
        object_type="case_member",
        object_id=user.id,
        case_id=case.id,
    )
    emit(
        session,
        object_type="case_member",
        object_id=f"{case.id}:{user.id}",
        operation="delete",
        case_id=case.id,
    )

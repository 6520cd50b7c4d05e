"""Following a case: a follower hears about new facts in it while they may see it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import open_case
from casetrail.cases.models import Case
from casetrail.notifications.models import CaseFollow
from casetrail.notifications.service import owner_id


def follow_case(session: Session, ctx: RequestContext, number: str) -> bool:
    """Start following case ``number``; return False when the caller already follows it."""
    user_id = owner_id(ctx)
    access = open_case(session, ctx, number, CasePermission.READ, "case.follow")
    if session.get(CaseFollow, (user_id, access.case.id)) is not None:
        return False
    session.add(CaseFollow(user_id=user_id, case_id=access.case.id))
    session.flush()
    record(session, ctx.audit_source, AuditAction.CASE_FOLLOW, object_type="case", object_id=access.case.id)
    return True


def unfollow_case(session: Session, ctx: RequestContext, number: str) -> bool:
    """Stop following case ``number``; return False when the caller did not follow it."""
    user_id = owner_id(ctx)
    access = open_case(session, ctx, number, CasePermission.READ, "case.unfollow")
    row = session.get(CaseFollow, (user_id, access.case.id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    record(session, ctx.audit_source, AuditAction.CASE_UNFOLLOW, object_type="case", object_id=access.case.id)
    return True


def is_following(session: Session, ctx: RequestContext, case_id: str) -> bool:
    if ctx.actor.user_id is None:
        return False
    return session.get(CaseFollow, (ctx.actor.user_id, case_id)) is not None


def followed_case_numbers(session: Session, ctx: RequestContext) -> list[str]:
    """Return the numbers of the cases the caller follows, sorted."""
    user_id = owner_id(ctx)
    query = (
        select(Case.number)
        .join(CaseFollow, CaseFollow.case_id == Case.id)
        .where(CaseFollow.user_id == user_id)
        .order_by(Case.number)
    )
    return list(session.execute(query).scalars())

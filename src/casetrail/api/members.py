"""Case membership: who works a case, and in which role."""

from __future__ import annotations

from fastapi import APIRouter, status

from casetrail.api.openapi import error_responses
from casetrail.api.schemas.members import MemberAdd, MemberOut
from casetrail.cases import members as member_service
from casetrail.http.deps import Ctx, DbSession

router = APIRouter(prefix="/cases/{number}/members", tags=["members"], responses=error_responses(404))


@router.get("")
def list_members(number: str, session: DbSession, ctx: Ctx) -> list[MemberOut]:
    return [MemberOut.model_validate(member) for member in member_service.list_members(session, ctx, number)]


@router.post("", responses=error_responses(403, 409))
def add_member(number: str, body: MemberAdd, session: DbSession, ctx: Ctx) -> MemberOut:
    """Add a member or change a member's role (the lead and supervisors)."""
    member = member_service.add_member(session, ctx, number, username=body.username, role=body.role)
    return MemberOut.model_validate(member)


@router.delete("/{username}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403, 409))
def remove_member(number: str, username: str, session: DbSession, ctx: Ctx) -> None:
    """Remove a member (the lead and supervisors). The lead cannot be removed; name another first."""
    member_service.remove_member(session, ctx, number, username=username)

"""Cases: list what the caller may see, open, read, change fields and move through the workflow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from casetrail.api.openapi import error_responses
from casetrail.api.schemas.cases import (
    CaseCreate,
    CaseDetail,
    CaseOut,
    CasePage,
    CaseUpdate,
    StatusChange,
    StatusChangeOut,
)
from casetrail.cases import service as case_service
from casetrail.cases.access import CaseAccess
from casetrail.cases.workflow import CaseStatus, allowed_next
from casetrail.http.deps import Ctx, DbSession

router = APIRouter(prefix="/cases", tags=["cases"])

MAX_PAGE = 200


@router.get("")
def list_cases(
    *,
    session: DbSession,
    ctx: Ctx,
    status_filter: Annotated[CaseStatus | None, Query(alias="status")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the title or number.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CasePage:
    """List the cases the caller may see, newest first."""
    page = case_service.list_cases(session, ctx, status=status_filter, text=q, limit=limit, offset=offset)
    return CasePage(items=[CaseOut.model_validate(case) for case in page.items], total=page.total)


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409))
def create_case(body: CaseCreate, session: DbSession, ctx: Ctx) -> CaseOut:
    """Open a case (investigators and supervisors). The lead becomes its first member."""
    case = case_service.create_case(
        session,
        ctx,
        title=body.title,
        lead_username=body.lead,
        number=body.number,
        summary=body.summary,
        offence_category=body.offence_category,
        sensitivity=body.sensitivity,
    )
    return CaseOut.model_validate(case)


@router.get("/{number}", responses=error_responses(404))
def get_case(number: str, session: DbSession, ctx: Ctx) -> CaseDetail:
    """Read a case with the caller's permissions, the next statuses and the status history."""
    access = case_service.get_case(session, ctx, number)
    return _detail(session, access)


def _detail(session: Session, access: CaseAccess) -> CaseDetail:
    case = access.case
    history = [StatusChangeOut.model_validate(step) for step in case_service.status_history(session, case)]
    return CaseDetail.model_validate(
        {
            **CaseOut.model_validate(case).model_dump(),
            "lead_name": case_service.user_display(session, case.lead_id),
            "permissions": sorted(access.permissions),
            "allowed_next_statuses": allowed_next(case.status),
            "status_history": history,
        }
    )


@router.patch("/{number}", responses=error_responses(403, 404, 409))
def update_case(number: str, body: CaseUpdate, session: DbSession, ctx: Ctx) -> CaseOut:
    """Change title, summary, offence category or sensitivity (the lead and supervisors)."""
    changes = body.model_dump(exclude_unset=True, exclude={"expected_version"}, mode="json")
    case = case_service.update_case(
        session, ctx, number, expected_version=body.expected_version, changes=changes
    )
    return CaseOut.model_validate(case)


@router.post("/{number}/status", responses=error_responses(403, 404, 409))
def change_status(number: str, body: StatusChange, session: DbSession, ctx: Ctx) -> CaseOut:
    """Move the case to another status, with a reason (the lead and supervisors)."""
    case = case_service.change_status(
        session,
        ctx,
        number,
        to_status=body.status,
        reason=body.reason,
        expected_version=body.expected_version,
    )
    return CaseOut.model_validate(case)

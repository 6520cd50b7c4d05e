"""The case list, opening a case, and the case page with its details and status workflow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from casetrail.auth import policy
from casetrail.cases import service as case_service
from casetrail.cases.workflow import CaseStatus
from casetrail.http.deps import Ctx, DbSession
from casetrail.web.case_view import EntityFilters, Pager, build_case_page, form_options
from casetrail.web.forms import see_other
from casetrail.web.templating import render

router = APIRouter()

CASE_PAGE_SIZE = 25
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


@router.get("/cases")
def case_list(
    *,
    request: Request,
    session: DbSession,
    ctx: Ctx,
    status: Annotated[str, Query(max_length=32)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: PageNumber = 1,
) -> HTMLResponse:
    status_filter = status if status in set(CaseStatus) else ""
    result = case_service.list_cases(
        session,
        ctx,
        status=status_filter or None,
        text=q.strip() or None,
        limit=CASE_PAGE_SIZE,
        offset=(page - 1) * CASE_PAGE_SIZE,
    )
    return render(
        request,
        "cases.html",
        {
            "cases": result.items,
            "case_pager": Pager(page, CASE_PAGE_SIZE, result.total),
            "filters": {"status": status_filter, "q": q},
            "can_create": policy.can_create_case(ctx.actor),
            "options": form_options(),
        },
    )


@router.post("/cases")
def create_case(
    *,
    session: DbSession,
    ctx: Ctx,
    title: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    offence_category: Annotated[str, Form()] = "",
    sensitivity: Annotated[str, Form()] = "restricted",
    lead: Annotated[str, Form()] = "",
) -> RedirectResponse:
    case = case_service.create_case(
        session,
        ctx,
        title=title,
        lead_username=lead.strip() or None,
        summary=summary.strip(),
        offence_category=offence_category.strip(),
        sensitivity=sensitivity,
    )
    return see_other(f"/cases/{case.number}", f"Case {case.number} opened.")


@router.get("/cases/{number}")
def case_page(
    *,
    request: Request,
    number: str,
    session: DbSession,
    ctx: Ctx,
    schema: Annotated[str, Query(max_length=64)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: PageNumber = 1,
    kind: Annotated[str, Query(max_length=64)] = "",
    rel_page: PageNumber = 1,
) -> HTMLResponse:
    filters = EntityFilters(schema=schema, text=q.strip(), page=page, kind=kind, rel_page=rel_page)
    view = build_case_page(session, ctx, number, filters)
    return render(request, "case.html", {"view": view, "case": view.case, "can": view.can})


@router.post("/cases/{number}/details")
def update_details(
    *,
    number: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: Annotated[int, Form()],
    title: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    offence_category: Annotated[str, Form()] = "",
    sensitivity: Annotated[str, Form()] = "",
) -> RedirectResponse:
    changes = {
        "title": title,
        "summary": summary.strip(),
        "offence_category": offence_category.strip(),
        "sensitivity": sensitivity,
    }
    case_service.update_case(session, ctx, number, expected_version=expected_version, changes=changes)
    return see_other(f"/cases/{number}", "Case details saved.")


@router.post("/cases/{number}/status")
def change_status(
    *,
    number: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: Annotated[int, Form()],
    to_status: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    case = case_service.change_status(
        session, ctx, number, to_status=to_status, reason=reason, expected_version=expected_version
    )
    return see_other(f"/cases/{number}", f"Status changed to {case.status}.")

"""The search page: a query box with filters, results with highlighted snippets, and pages.

Without a chosen case the search reads every case the user may see, and the form then has a
purpose field, which the audit trail keeps. An invalid query or filter shows the form again
with the error above the filters. A case the user may not see reads as not found, as
everywhere else.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from casetrail.cases import service as case_service
from casetrail.core.errors import ValidationFailed
from casetrail.http.deps import Ctx, DbSession
from casetrail.search import service
from casetrail.search.request import DEFAULT_PAGE_SIZE, TYPES, SearchRequest, SortOrder
from casetrail.search.service import SearchPage
from casetrail.web.case_view import Pager
from casetrail.web.templating import render

router = APIRouter()

# Cases offered in the case choice; a user on more can still type ?case=NUMBER.
CASE_CHOICES = 200
ShortText = Annotated[str, Query(max_length=200)]


@router.get("/search")
def search_page(
    *,
    request: Request,
    session: DbSession,
    ctx: Ctx,
    q: Annotated[str, Query(max_length=1000)] = "",
    case: ShortText = "",
    types: Annotated[list[str], Query(max_length=len(TYPES))] = [],  # noqa: B006 - copied per request
    date_from: ShortText = "",
    date_to: ShortText = "",
    author: ShortText = "",
    label: ShortText = "",
    sort: ShortText = SortOrder.RELEVANCE,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    purpose: Annotated[str, Query(max_length=500)] = "",
) -> HTMLResponse:
    params: dict[str, Any] = {
        "q": q, "case": case, "types": types, "date_from": date_from, "date_to": date_to,
        "author": author, "label": label, "sort": sort, "purpose": purpose,
    }  # fmt: skip
    found: SearchPage | None = None
    errors: dict[str, str] = {}
    message = ""
    if q.strip():
        search_request = SearchRequest(
            q=q, case=case or None, types=tuple(types), date_from=date_from or None, date_to=date_to or None,
            author=author or None, label=label or None, sort=sort, page=page, page_size=DEFAULT_PAGE_SIZE,
        )  # fmt: skip
        try:
            found = service.search(session, ctx.with_purpose(purpose or None), search_request)
        except ValidationFailed as error:
            errors, message = error.errors, error.message
    cases = case_service.list_cases(session, ctx, limit=CASE_CHOICES).items
    return render(
        request,
        "search.html",
        {
            "params": params,
            "found": found,
            "result_pager": Pager(found.page, found.page_size, found.total) if found else None,
            "errors": errors,
            "error_message": message,
            "cases": cases,
            "types": list(TYPES),
            "sorts": list(SortOrder),
        },
        status_code=422 if errors else 200,
    )

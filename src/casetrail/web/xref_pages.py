"""Cross-referencing in the web UI: a case's candidate matches, notices, and the board.

The header shows the number of the viewer's open notices. The count is read in the request's
own transaction, through the session that loaded the logged-in user: on SQLite a second
transaction would wait for the request's write lock.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import object_session

from casetrail.auth.models import User
from casetrail.http.deps import Ctx, DbSession
from casetrail.web.forms import see_other
from casetrail.web.templating import render, templates
from casetrail.xref import notices as notice_service
from casetrail.xref import service as xref_service
from casetrail.xref.notices import STATUSES

router = APIRouter()


def open_notice_count(request: Request) -> int:
    """Return the viewer's open notices for the header badge; 0 when no user record is loaded."""
    identity = getattr(request.state, "identity", None)
    user: User | None = getattr(identity, "user", None)
    if user is None:
        return 0
    session = object_session(user)
    if session is None or not session.is_active:
        return 0
    return notice_service.count_open_notices(session, user.id)


templates.env.globals["open_notice_count"] = open_notice_count


@router.get("/cases/{number}/xref")
def case_candidates(
    *,
    request: Request,
    number: str,
    session: DbSession,
    ctx: Ctx,
    status: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    views = xref_service.list_case_candidates(session, ctx, number, status=status or None)
    links = xref_service.list_links(session, ctx, number)
    context = {"number": number, "candidates": views, "links": links, "status": status}
    return render(request, "xref_case.html", context)


@router.get("/xref/candidates/{candidate_id}")
def candidate_page(request: Request, candidate_id: str, session: DbSession, ctx: Ctx) -> HTMLResponse:
    view = xref_service.get_candidate(session, ctx, candidate_id)
    back = f"/xref/candidates/{candidate_id}"
    return render(request, "xref_candidate.html", {"view": view, "back": back})


@router.post("/xref/candidates/{candidate_id}/decisions")
def decide(
    *,
    candidate_id: str,
    session: DbSession,
    ctx: Ctx,
    verdict: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> RedirectResponse:
    xref_service.decide(session, ctx, candidate_id, verdict=verdict, reason=reason)
    return see_other(_back(back), f"Candidate {verdict}.")


@router.post("/xref/decisions/{decision_id}/retract")
def retract(
    *,
    decision_id: str,
    session: DbSession,
    ctx: Ctx,
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> RedirectResponse:
    xref_service.retract_decision(session, ctx, decision_id, reason=reason)
    return see_other(_back(back), "Decision retracted.")


def _back(path: str) -> str:
    """Return to a page of this site only; anything else goes to the notices page."""
    if path.startswith("/") and not path.startswith("//"):
        return path
    return "/xref/notices"


@router.get("/xref/notices")
def notices_page(
    request: Request,
    session: DbSession,
    ctx: Ctx,
    status: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    views = notice_service.list_my_notices(session, ctx, status=status or None)
    return render(request, "xref_notices.html", {"notices": views, "status": status, "statuses": STATUSES})


@router.post("/xref/notices/{notice_id}/acknowledge")
def acknowledge(notice_id: str, session: DbSession, ctx: Ctx) -> RedirectResponse:
    notice_service.acknowledge_notice(session, ctx, notice_id)
    return see_other("/xref/notices", "Notice acknowledged.")


@router.post("/xref/notices/{notice_id}/close")
def close(
    notice_id: str, session: DbSession, ctx: Ctx, note: Annotated[str, Form()] = ""
) -> RedirectResponse:
    notice_service.close_notice(session, ctx, notice_id, note=note)
    return see_other("/xref/notices", "Notice closed.")


@router.get("/xref/board")
def board_page(request: Request, session: DbSession, ctx: Ctx) -> HTMLResponse:
    rows = notice_service.deconfliction_board(session, ctx)
    return render(request, "xref_board.html", {"rows": rows})

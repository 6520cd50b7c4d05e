"""Cross-referencing: candidates of a case, decisions, links, watch-lists and deconfliction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from casetrail.api.openapi import error_responses
from casetrail.api.schemas.xref import (
    BoardRowOut,
    CandidateOut,
    CandidateSide,
    DecisionCreate,
    DecisionOut,
    DecisionRetract,
    LinkOut,
    NoticeClose,
    NoticeOut,
    WatchlistOut,
)
from casetrail.http.deps import Ctx, DbSession
from casetrail.xref import notices as notice_service
from casetrail.xref import service as xref_service
from casetrail.xref import watchlists as watchlist_service
from casetrail.xref.notices import NoticeView
from casetrail.xref.service import CandidateView, SideView

router = APIRouter(tags=["xref"], responses=error_responses(404))

StatusFilter = Annotated[str | None, Query(max_length=16, description="Only items with this status.")]


def _side(side: SideView) -> CandidateSide:
    return CandidateSide.model_validate(
        {
            "entity_id": side.entity_id,
            "caption": side.caption,
            "schema": side.schema,
            "case_number": side.case_number,
            "watchlist": side.watchlist,
        }
    )


def candidate_out(view: CandidateView) -> CandidateOut:
    candidate = view.candidate
    return CandidateOut(
        id=candidate.id,
        left=_side(view.left),
        right=_side(view.right),
        score=candidate.score,
        algorithm=candidate.algorithm,
        features=candidate.features,
        shared_keys=candidate.shared_keys,
        origin=candidate.origin,
        status=candidate.status,
        decisions=[DecisionOut.model_validate(decision) for decision in view.decisions],
    )


def notice_out(view: NoticeView) -> NoticeOut:
    return NoticeOut(
        id=view.id,
        case_number=view.case_number,
        entity_id=view.entity_id,
        entity_caption=view.entity_caption,
        kind=view.kind,
        overlap=view.overlap,
        own_value=view.own_value,
        other_lead_name=view.other_lead_name,
        other_unit_name=view.other_unit_name,
        message=view.message,
        status=view.status,
        created_at=view.created_at,
        acknowledged_by=view.acknowledged_by,
        acknowledged_at=view.acknowledged_at,
        closed_by=view.closed_by,
        closed_at=view.closed_at,
        close_note=view.close_note,
    )


@router.get("/cases/{number}/xref/candidates")
def list_candidates(
    number: str, session: DbSession, ctx: Ctx, status: StatusFilter = None
) -> list[CandidateOut]:
    """List candidate matches of the case's entities whose other side the caller may also see."""
    views = xref_service.list_case_candidates(session, ctx, number, status=status)
    return [candidate_out(view) for view in views]


@router.get("/cases/{number}/xref/links")
def list_links(number: str, session: DbSession, ctx: Ctx) -> list[LinkOut]:
    """List the live "same as" links of the case's entities whose other side the caller may see."""
    return [LinkOut.model_validate(link) for link in xref_service.list_links(session, ctx, number)]


@router.get("/xref/candidates/{candidate_id}")
def get_candidate(candidate_id: str, session: DbSession, ctx: Ctx) -> CandidateOut:
    return candidate_out(xref_service.get_candidate(session, ctx, candidate_id))


@router.post(
    "/xref/candidates/{candidate_id}/decisions",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(403, 409),
)
def decide(candidate_id: str, body: DecisionCreate, session: DbSession, ctx: Ctx) -> DecisionOut:
    """Confirm or reject a candidate. A confirmation links the two entities without mixing their facts."""
    decision = xref_service.decide(session, ctx, candidate_id, verdict=body.verdict, reason=body.reason)
    return DecisionOut.model_validate(decision)


@router.post("/xref/decisions/{decision_id}/retract", responses=error_responses(403, 409))
def retract_decision(decision_id: str, body: DecisionRetract, session: DbSession, ctx: Ctx) -> DecisionOut:
    """Withdraw a decision. It stays stored with who withdrew it, when and why."""
    decision = xref_service.retract_decision(session, ctx, decision_id, reason=body.reason)
    return DecisionOut.model_validate(decision)


@router.get("/xref/watchlists", responses=error_responses(403))
def list_watchlists(session: DbSession, ctx: Ctx) -> list[WatchlistOut]:
    """List the loaded watch-lists with their current version."""
    return [WatchlistOut.model_validate(item) for item in watchlist_service.list_watchlists(session, ctx)]


@router.get("/xref/notices")
def list_notices(session: DbSession, ctx: Ctx, status: StatusFilter = None) -> list[NoticeOut]:
    """List the deconfliction notices addressed to the caller, newest first."""
    return [notice_out(view) for view in notice_service.list_my_notices(session, ctx, status=status)]


@router.get("/xref/notices/{notice_id}")
def get_notice(notice_id: str, session: DbSession, ctx: Ctx) -> NoticeOut:
    return notice_out(notice_service.get_notice(session, ctx, notice_id))


@router.post("/xref/notices/{notice_id}/acknowledge", responses=error_responses(403, 409))
def acknowledge_notice(notice_id: str, session: DbSession, ctx: Ctx) -> NoticeOut:
    """Record that the notice was read and the other lead will be contacted."""
    return notice_out(notice_service.acknowledge_notice(session, ctx, notice_id))


@router.post("/xref/notices/{notice_id}/close", responses=error_responses(403, 409))
def close_notice(notice_id: str, body: NoticeClose, session: DbSession, ctx: Ctx) -> NoticeOut:
    """Close a notice with a note on how the overlap was settled."""
    return notice_out(notice_service.close_notice(session, ctx, notice_id, note=body.note))


@router.get("/xref/board", responses=error_responses(403))
def deconfliction_board(session: DbSession, ctx: Ctx) -> list[BoardRowOut]:
    """List the overlaps not yet closed of the cases in the supervisor's unit tree."""
    rows = notice_service.deconfliction_board(session, ctx)
    return [
        BoardRowOut(notice=notice_out(row.notice), case_title=row.case_title, lead_name=row.lead_name)
        for row in rows
    ]

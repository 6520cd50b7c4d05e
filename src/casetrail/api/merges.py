"""Merging two entities of a case into one, and undoing a merge."""

from __future__ import annotations

from fastapi import APIRouter, status

from casetrail.api.openapi import error_responses
from casetrail.api.schemas.entities import MergeCreate, MergeOut, MergeUndo
from casetrail.entities import merge as merge_service
from casetrail.http.deps import Ctx, DbSession

router = APIRouter(prefix="/cases/{number}/merges", tags=["entities"], responses=error_responses(404))


@router.get("")
def list_merges(number: str, session: DbSession, ctx: Ctx) -> list[MergeOut]:
    """List the merges of a case, newest first, undone ones included."""
    return [MergeOut.model_validate(merge) for merge in merge_service.list_merges(session, ctx, number)]


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409))
def merge_entities(number: str, body: MergeCreate, session: DbSession, ctx: Ctx) -> MergeOut:
    """Merge the loser into the winner: the loser's facts in this case move to the winner."""
    merge = merge_service.merge_entities(
        session,
        ctx,
        number,
        winner_id=body.winner_id,
        loser_id=body.loser_id,
        reason=body.reason,
        expected_versions=body.expected_versions,
    )
    return MergeOut.model_validate(merge)


@router.post("/{merge_id}/undo", responses=error_responses(403, 409))
def undo_merge(number: str, merge_id: str, body: MergeUndo, session: DbSession, ctx: Ctx) -> MergeOut:
    """Move back exactly the facts the merge moved."""
    merge = merge_service.undo_merge(session, ctx, number, merge_id, reason=body.reason)
    return MergeOut.model_validate(merge)

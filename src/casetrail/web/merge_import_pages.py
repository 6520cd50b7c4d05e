"""Merging two entities of a case, undoing a merge, and importing a FollowTheMoney file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import RedirectResponse

from casetrail.entities import merge as merge_service
from casetrail.exchange.ftm_import import ImportReport, import_ftm
from casetrail.http.deps import Ctx, DbSession
from casetrail.web.forms import see_other

router = APIRouter()


@router.post("/cases/{number}/merges")
def merge_entities(
    *,
    number: str,
    session: DbSession,
    ctx: Ctx,
    winner_id: Annotated[str, Form()] = "",
    loser_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    merge = merge_service.merge_entities(
        session, ctx, number, winner_id=winner_id.strip(), loser_id=loser_id.strip(), reason=reason
    )
    return see_other(f"/cases/{number}/entities/{merge.winner_id}", "Entities merged.")


@router.post("/cases/{number}/merges/{merge_id}/undo")
def undo_merge(
    number: str, merge_id: str, session: DbSession, ctx: Ctx, reason: Annotated[str, Form()] = ""
) -> RedirectResponse:
    merge_service.undo_merge(session, ctx, number, merge_id, reason=reason)
    return see_other(f"/cases/{number}#merges", "Merge undone.")


@router.post("/cases/{number}/imports")
def import_file(
    number: str,
    session: DbSession,
    ctx: Ctx,
    file: Annotated[UploadFile, File()],
    skip_invalid_values: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    report = import_ftm(
        session,
        ctx,
        number,
        file.file,
        file_name=file.filename or "upload.ftm.json",
        skip_invalid_values=skip_invalid_values,
    )
    return see_other(f"/cases/{number}#entities", import_summary(report))


def import_summary(report: ImportReport) -> str:
    """Describe an import in counts only, because the notice travels in a cookie."""
    summary = f"Imported {report.entities} entities with {report.statements} facts."
    if report.skipped_values:
        summary += f" {len(report.skipped_values)} invalid values were left out."
    if report.dangling_references:
        summary += f" {report.dangling_references} references name entities outside the case."
    return summary

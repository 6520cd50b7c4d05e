"""Members, notes and tasks of a case: the forms of the case page and the note editor.

A note edit carries the version the editor started from. When someone else saved the note in
between, the editor shows both texts and the conflict instead of overwriting the other change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from casetrail.cases import members as member_service
from casetrail.cases import notes as note_service
from casetrail.cases import service as case_service
from casetrail.cases import tasks as task_service
from casetrail.core.errors import VersionConflict
from casetrail.http.deps import Ctx, DbSession
from casetrail.web.case_view import case_banner
from casetrail.web.forms import optional_date, see_other
from casetrail.web.templating import render

router = APIRouter()


@router.post("/cases/{number}/members")
def add_member(
    number: str,
    session: DbSession,
    ctx: Ctx,
    username: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
) -> RedirectResponse:
    member = member_service.add_member(session, ctx, number, username=username.strip(), role=role)
    return see_other(f"/cases/{number}#members", f"{member.username} is now {member.role} of the case.")


@router.post("/cases/{number}/members/{username}/remove")
def remove_member(number: str, username: str, session: DbSession, ctx: Ctx) -> RedirectResponse:
    member_service.remove_member(session, ctx, number, username=username)
    return see_other(f"/cases/{number}#members", f"{username} was removed from the case.")


@router.post("/cases/{number}/notes")
def add_note(
    number: str, session: DbSession, ctx: Ctx, body: Annotated[str, Form()] = ""
) -> RedirectResponse:
    note = note_service.add_note(session, ctx, number, body)
    return see_other(f"/cases/{number}#note-{note.id}", "Note added.")


@router.get("/cases/{number}/notes/{note_id}/edit")
def edit_note_form(request: Request, number: str, note_id: str, session: DbSession, ctx: Ctx) -> HTMLResponse:
    access = case_service.get_case(session, ctx, number)
    note = note_service.get_note(session, ctx, number, note_id)
    context = {
        **case_banner(access),
        "note": note,
        "draft": note.body,
        "version": note.version,
        "conflict": None,
    }
    return render(request, "note_edit.html", context)


@router.post("/cases/{number}/notes/{note_id}", response_model=None)
def update_note(
    *,
    request: Request,
    number: str,
    note_id: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: Annotated[int, Form()],
    body: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    try:
        note_service.update_note(session, ctx, number, note_id, body=body, expected_version=expected_version)
    except VersionConflict as conflict:
        return _note_conflict(request, session, ctx, number, note_id, draft=body, conflict=conflict)
    return see_other(f"/cases/{number}#note-{note_id}", "Note saved.")


def _note_conflict(
    request: Request,
    session: DbSession,
    ctx: Ctx,
    number: str,
    note_id: str,
    *,
    draft: str,
    conflict: VersionConflict,
) -> HTMLResponse:
    """Show the stored note beside the user's draft. Saving again starts from the new version."""
    access = case_service.get_case(session, ctx, number)
    note = note_service.get_note(session, ctx, number, note_id)
    context = {
        **case_banner(access),
        "note": note,
        "draft": draft,
        "version": note.version,
        "conflict": conflict.message,
    }
    return render(request, "note_edit.html", context, status_code=409)


@router.post("/cases/{number}/tasks")
def add_task(
    *,
    number: str,
    session: DbSession,
    ctx: Ctx,
    title: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    assignee: Annotated[str, Form()] = "",
    due_date: Annotated[str, Form()] = "",
) -> RedirectResponse:
    task = task_service.add_task(
        session,
        ctx,
        number,
        title=title,
        description=description.strip(),
        assignee=assignee.strip() or None,
        due_date=optional_date(due_date, "due_date"),
    )
    return see_other(f"/cases/{number}#task-{task.id}", "Task added.")


@router.post("/cases/{number}/tasks/{task_id}")
def update_task_status(
    *,
    number: str,
    task_id: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: Annotated[int, Form()],
    status: Annotated[str, Form()] = "",
) -> RedirectResponse:
    task_service.update_task(
        session, ctx, number, task_id, expected_version=expected_version, changes={"status": status}
    )
    return see_other(f"/cases/{number}#task-{task_id}", "Task status changed.")

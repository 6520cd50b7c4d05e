"""Case notes. A note can be the source of facts recorded from it."""

from __future__ import annotations

from fastapi import APIRouter, status

from casetrail.api.openapi import error_responses
from casetrail.api.schemas.notes import NoteCreate, NoteOut, NoteUpdate
from casetrail.cases import notes as note_service
from casetrail.http.deps import Ctx, DbSession

router = APIRouter(prefix="/cases/{number}/notes", tags=["notes"], responses=error_responses(404))


@router.get("")
def list_notes(number: str, session: DbSession, ctx: Ctx) -> list[NoteOut]:
    """List the notes of a case, newest first."""
    return [NoteOut.model_validate(note) for note in note_service.list_notes(session, ctx, number)]


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409))
def add_note(number: str, body: NoteCreate, session: DbSession, ctx: Ctx) -> NoteOut:
    return NoteOut.model_validate(note_service.add_note(session, ctx, number, body.body))


@router.get("/{note_id}")
def get_note(number: str, note_id: str, session: DbSession, ctx: Ctx) -> NoteOut:
    return NoteOut.model_validate(note_service.get_note(session, ctx, number, note_id))


@router.patch("/{note_id}", responses=error_responses(403, 409))
def update_note(number: str, note_id: str, body: NoteUpdate, session: DbSession, ctx: Ctx) -> NoteOut:
    """Replace the text of a note."""
    note = note_service.update_note(
        session, ctx, number, note_id, body=body.body, expected_version=body.expected_version
    )
    return NoteOut.model_validate(note)

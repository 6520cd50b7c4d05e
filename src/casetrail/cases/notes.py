"""Case notes. A note can be the source of facts recorded from it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import ensure_not_frozen, open_case
from casetrail.cases.models import Note
from casetrail.cases.service import check_version
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.db.outbox import emit

MAX_NOTE_LENGTH = 100_000


def _validate_body(body: str) -> str:
    if not body or not body.strip():
        raise ValidationFailed("a note cannot be empty", {"body": "missing"})
    if len(body) > MAX_NOTE_LENGTH:
        raise ValidationFailed(f"a note is limited to {MAX_NOTE_LENGTH} characters", {"body": "too long"})
    return body.strip()


def list_notes(session: Session, ctx: RequestContext, number: str) -> list[Note]:
    access = open_case(session, ctx, number, CasePermission.READ, "note.read")
    notes = list(
        session.execute(
            select(Note).where(Note.case_id == access.case.id).order_by(Note.created_at.desc())
        ).scalars()
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.NOTE_READ,
        object_type="note",
        case_id=access.case.id,
        detail={"returned": [note.id for note in notes]},
    )
    return notes


def add_note(session: Session, ctx: RequestContext, number: str, body: str) -> Note:
    access = open_case(session, ctx, number, CasePermission.WRITE, "note.create")
    ensure_not_frozen(access.case)
    note = Note(
        case_id=access.case.id,
        body=_validate_body(body),
        author_id=ctx.actor.user_id,
        author_name=ctx.actor.username,
    )
    session.add(note)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.NOTE_CREATE,
        object_type="note",
        object_id=note.id,
        case_id=access.case.id,
    )
    emit(session, object_type="note", object_id=note.id, operation="create", case_id=access.case.id)
    return note


def get_note(session: Session, ctx: RequestContext, number: str, note_id: str) -> Note:
    access = open_case(session, ctx, number, CasePermission.READ, "note.read")
    note = session.get(Note, note_id)
    if note is None or note.case_id != access.case.id:
        raise NotFound(f"note {note_id} not found in case {number}")
    record(
        session,
        ctx.audit_source,
        AuditAction.NOTE_READ,
        object_type="note",
        object_id=note.id,
        case_id=access.case.id,
    )
    return note


def update_note(
    session: Session,
    ctx: RequestContext,
    number: str,
    note_id: str,
    *,
    body: str,
    expected_version: int | None,
) -> Note:
    access = open_case(session, ctx, number, CasePermission.WRITE, "note.update")
    ensure_not_frozen(access.case)
    note = session.get(Note, note_id, with_for_update=True)
    if note is None or note.case_id != access.case.id:
        raise NotFound(f"note {note_id} not found in case {number}")
    check_version("note", note.id, note.version, expected_version)
    note.body = _validate_body(body)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.NOTE_UPDATE,
        object_type="note",
        object_id=note.id,
        case_id=access.case.id,
    )
    emit(session, object_type="note", object_id=note.id, operation="update", case_id=access.case.id)
    return note

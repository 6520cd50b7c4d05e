"""Reading and handling deconfliction notices, and the supervisors' deconfliction board.

Every view of a notice is audited, lists included. A view carries only what the reader's own
case holds plus the other case's lead and unit: ``NoticeView`` has no field for the other
case's number, title, entity ids or values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.models import User
from casetrail.cases.models import Case
from casetrail.core.clock import utcnow
from casetrail.core.errors import Conflict, ValidationFailed
from casetrail.db.outbox import emit
from casetrail.entities.models import CaseEntity
from casetrail.xref.models import Notice

STATUSES = ("open", "acknowledged", "closed")


@dataclass(frozen=True)
class NoticeView:
    id: str
    case_number: str
    entity_id: str
    entity_caption: str
    kind: str
    label: str
    own_value: str
    other_lead_name: str
    other_unit_name: str
    status: str
    created_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    closed_by: str | None
    closed_at: datetime | None
    close_note: str | None

    @property
    def overlap(self) -> str:
        """The kind of overlap in two or three words, e.g. "same passport number"."""
        return f"same {self.label}"

    @property
    def message(self) -> str:
        return (
            f"The {self.label} {self.own_value} in your case also appears in a case led by "
            f"{self.other_lead_name}, {self.other_unit_name}: contact them before acting."
        )


def _view(session: Session, notice: Notice) -> NoticeView:
    case = session.get(Case, notice.case_id)
    assert case is not None
    entity = session.get(CaseEntity, (notice.case_id, notice.entity_id))
    return NoticeView(
        id=notice.id,
        case_number=case.number,
        entity_id=notice.entity_id,
        entity_caption=entity.caption if entity else notice.entity_id,
        kind=notice.kind,
        label=notice.label,
        own_value=notice.own_value,
        other_lead_name=notice.other_lead_name,
        other_unit_name=notice.other_unit_name,
        status=notice.status,
        created_at=notice.created_at,
        acknowledged_by=notice.acknowledged_by,
        acknowledged_at=notice.acknowledged_at,
        closed_by=notice.closed_by,
        closed_at=notice.closed_at,
        close_note=notice.close_note,
    )


def _check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise ValidationFailed(
            f"unknown notice status {status!r}: choose one of {', '.join(STATUSES)}", {"status": "unknown"}
        )


def list_my_notices(
    session: Session, ctx: RequestContext, *, status: str | None = None, limit: int = 200
) -> list[NoticeView]:
    """List the notices addressed to the caller, newest first."""
    policy.require_authenticated(ctx)
    _check_status(status)
    query = select(Notice).where(Notice.recipient_id == (ctx.actor.user_id or ""))
    if status:
        query = query.where(Notice.status == status)
    rows = list(session.execute(query.order_by(Notice.created_at.desc(), Notice.id).limit(limit)).scalars())
    views = [_view(session, row) for row in rows]
    _audit_read(session, ctx, rows, view="mine")
    return views


def count_open_notices(session: Session, user_id: str) -> int:
    """Count the open notices addressed to a user; the count alone reveals no notice content."""
    return int(
        session.execute(
            select(func.count()).where(Notice.recipient_id == user_id, Notice.status == "open")
        ).scalar_one()
    )


def get_notice(session: Session, ctx: RequestContext, notice_id: str) -> NoticeView:
    notice = _readable(session, ctx, notice_id)
    _audit_read(session, ctx, [notice], view="detail")
    return _view(session, notice)


def _readable(session: Session, ctx: RequestContext, notice_id: str, *, lock: bool = False) -> Notice:
    notice = session.get(Notice, notice_id, with_for_update=lock or None)
    case = session.get(Case, notice.case_id) if notice is not None else None
    policy.require_notice(
        ctx.actor,
        recipient_id=notice.recipient_id if notice is not None else "",
        case_unit_id=case.unit_id if case is not None else None,
        supervised=policy.supervised_unit_ids(session, ctx.actor),
        notice_id=notice_id,
    )
    assert notice is not None
    return notice


def acknowledge_notice(session: Session, ctx: RequestContext, notice_id: str) -> NoticeView:
    """Record that the reader has seen the notice and will contact the other lead."""
    notice = _readable(session, ctx, notice_id, lock=True)
    if notice.status != "open":
        raise Conflict(f"notice {notice_id} is {notice.status}: only an open notice can be acknowledged")
    notice.status = "acknowledged"
    notice.acknowledged_by = ctx.actor.username
    notice.acknowledged_at = utcnow()
    session.flush()
    _audit_change(session, ctx, notice, AuditAction.NOTICE_ACKNOWLEDGE)
    return _view(session, notice)


def close_notice(session: Session, ctx: RequestContext, notice_id: str, *, note: str) -> NoticeView:
    """Close a notice with a note on how the overlap was settled."""
    if not note.strip():
        raise ValidationFailed("a note is required to close a notice", {"note": "missing"})
    notice = _readable(session, ctx, notice_id, lock=True)
    if notice.status == "closed":
        raise Conflict(f"notice {notice_id} is already closed")
    notice.status = "closed"
    notice.closed_by = ctx.actor.username
    notice.closed_at = utcnow()
    notice.close_note = note.strip()[:4000]
    session.flush()
    _audit_change(session, ctx, notice, AuditAction.NOTICE_CLOSE)
    return _view(session, notice)


@dataclass(frozen=True)
class BoardRow:
    """One open overlap on the board, from the side of a case in the supervisor's unit tree."""

    notice: NoticeView
    case_title: str
    lead_name: str


def deconfliction_board(session: Session, ctx: RequestContext, *, limit: int = 500) -> list[BoardRow]:
    """List the notices not yet closed of every case in the supervisor's unit tree."""
    policy.require_board(ctx)
    supervised = policy.supervised_unit_ids(session, ctx.actor)
    query = select(Notice, Case).join(Case, Case.id == Notice.case_id).where(Notice.status != "closed")
    if not ctx.actor.is_operator:
        query = query.where(Case.unit_id.in_(sorted(supervised)))
    rows = session.execute(query.order_by(Notice.created_at.desc(), Notice.id).limit(limit)).all()
    board = [
        BoardRow(notice=_view(session, notice), case_title=case.title, lead_name=_lead_name(session, case))
        for notice, case in rows
    ]
    _audit_read(session, ctx, [notice for notice, _ in rows], view="board")
    return board


def _lead_name(session: Session, case: Case) -> str:
    lead = session.get(User, case.lead_id)
    return lead.display_name if lead else ""


def _audit_read(session: Session, ctx: RequestContext, notices: list[Notice], *, view: str) -> None:
    """Audit a view of notices: one record per notice, so each notice's reads can be listed."""
    action = AuditAction.BOARD_READ if view == "board" else AuditAction.NOTICE_READ
    for notice in notices:
        record(
            session,
            ctx.audit_source,
            action,
            object_type="xref_notice",
            object_id=notice.id,
            case_id=notice.case_id,
            detail={"view": view},
        )
    if not notices:
        record(session, ctx.audit_source, action, object_type="xref_notice", detail={"view": view})


def _audit_change(session: Session, ctx: RequestContext, notice: Notice, action: AuditAction) -> None:
    record(
        session,
        ctx.audit_source,
        action,
        object_type="xref_notice",
        object_id=notice.id,
        case_id=notice.case_id,
        detail={"status": notice.status},
    )
    emit(session, object_type="xref_notice", object_id=notice.id, operation="update", case_id=notice.case_id)

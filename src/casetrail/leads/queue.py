"""The triage queue and the views of one lead: filters and sort inside the policy-filtered query."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.models import Unit, User
from casetrail.cases.models import Case
from casetrail.core.clock import utcnow
from casetrail.core.errors import ValidationFailed
from casetrail.documents.models import Document
from casetrail.leads.access import LeadAccess
from casetrail.leads.models import PRIORITIES, Lead, LeadAddition, LeadSimilarity, LeadStatusChange
from casetrail.leads.service import is_overdue, read_lead
from casetrail.leads.workflow import LeadStatus

SORTS = ("priority", "due", "age", "newest")


@dataclass(frozen=True)
class QueueFilter:
    statuses: list[str] = field(default_factory=list)
    """Empty means every status but closed."""
    priority: str | None = None
    category: str | None = None
    jurisdiction: str | None = None
    unit: str | None = None
    """A unit name."""
    assignee: str | None = None
    """A username, or ``me`` for the caller."""
    group_id: str | None = None
    kind: str | None = None
    overdue: bool = False
    text: str | None = None


@dataclass(frozen=True)
class QueueItem:
    lead: Lead
    overdue: bool
    group_size: int
    assignee: str | None
    unit: str | None


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int


def _visible(session: Session, ctx: RequestContext) -> Select[Lead]:
    condition = policy.visible_lead_condition(
        session,
        ctx.actor,
        unit_column=Lead.unit_id,
        sensitivity_column=Lead.sensitivity,
        assignee_column=Lead.assignee_id,
        recorded_by_column=Lead.recorded_by_id,
    )
    return select(Lead).where(condition)


def _resolve_names(session: Session, ctx: RequestContext, flt: QueueFilter) -> tuple[str | None, str | None]:
    """Return the unit id and assignee id that the filter names; an unknown name matches nothing."""
    unit_id = assignee_id = None
    if flt.unit:
        unit_id = session.execute(select(Unit.id).where(Unit.name == flt.unit)).scalar_one_or_none() or "-"
    if flt.assignee == "me":
        assignee_id = ctx.actor.user_id or "-"
    elif flt.assignee:
        found = session.execute(select(User.id).where(User.username == flt.assignee)).scalar_one_or_none()
        assignee_id = found or "-"
    return unit_id, assignee_id


def _filtered(
    query: Select[Lead], flt: QueueFilter, unit_id: str | None, assignee_id: str | None
) -> Select[Lead]:
    statuses = flt.statuses or [status.value for status in LeadStatus if status != LeadStatus.CLOSED]
    query = query.where(Lead.status.in_(statuses))
    for column, value in (
        (Lead.priority, flt.priority),
        (Lead.category, flt.category),
        (Lead.jurisdiction, flt.jurisdiction),
        (Lead.unit_id, unit_id),
        (Lead.assignee_id, assignee_id),
        (Lead.group_id, flt.group_id),
        (Lead.kind, flt.kind),
    ):
        if value:
            query = query.where(column == value)
    if flt.overdue:
        query = query.where(Lead.due_at < utcnow(), Lead.status != LeadStatus.CLOSED)
    if flt.text:
        pattern = f"%{flt.text.lower()}%"
        query = query.where(
            or_(func.lower(Lead.title).like(pattern), func.lower(Lead.reference).like(pattern))
        )
    return query


def _ordered(query: Select[Lead], sort: str) -> Select[Lead]:
    if sort not in SORTS:
        raise ValidationFailed(f"invalid sort {sort!r}", {"sort": f"choose one of {', '.join(SORTS)}"})
    rank = case(
        {name: index for index, name in enumerate(PRIORITIES)}, value=Lead.priority, else_=len(PRIORITIES)
    )
    if sort == "priority":
        return query.order_by(rank, Lead.due_at, Lead.reference)
    if sort == "due":
        return query.order_by(Lead.due_at, rank, Lead.reference)
    if sort == "age":
        return query.order_by(Lead.received_at, Lead.reference)
    return query.order_by(Lead.received_at.desc(), Lead.reference.desc())


def list_queue(
    session: Session,
    ctx: RequestContext,
    flt: QueueFilter | None = None,
    *,
    sort: str = "priority",
    limit: int = 50,
    offset: int = 0,
) -> QueuePage:
    """List the leads the actor may see, by default every open one, most urgent first."""
    flt = flt or QueueFilter()
    query = _filtered(_visible(session, ctx), flt, *_resolve_names(session, ctx, flt))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    leads = list(session.execute(_ordered(query, sort).limit(limit).offset(offset)).scalars())
    sizes = _group_sizes(session, ctx, {lead.group_id for lead in leads if lead.group_id})
    names = _names(session, leads)
    now = utcnow()
    items = [
        QueueItem(
            lead=lead,
            overdue=is_overdue(lead, now),
            group_size=sizes.get(lead.group_id or "", 1),
            assignee=names.get(lead.assignee_id or ""),
            unit=names.get(lead.unit_id or ""),
        )
        for lead in leads
    ]
    record(session, ctx.audit_source, AuditAction.LEAD_LIST, object_type="lead", detail={"count": len(items)})
    return QueuePage(items=items, total=total)


def _group_sizes(session: Session, ctx: RequestContext, group_ids: set[str]) -> dict[str, int]:
    """Count the leads of each group that the actor may see."""
    if not group_ids:
        return {}
    visible = _visible(session, ctx).where(Lead.group_id.in_(sorted(group_ids))).subquery()
    rows = session.execute(select(visible.c.group_id, func.count()).group_by(visible.c.group_id)).all()
    return {str(group): int(count) for group, count in rows}


def _names(session: Session, leads: list[Lead]) -> dict[str, str]:
    user_ids = {lead.assignee_id for lead in leads if lead.assignee_id}
    unit_ids = {lead.unit_id for lead in leads if lead.unit_id}
    names: dict[str, str] = {}
    if user_ids:
        rows = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all()
        names.update((str(user_id), str(name)) for user_id, name in rows)
    if unit_ids:
        rows = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all()
        names.update((str(unit_id), str(name)) for unit_id, name in rows)
    return names


@dataclass(frozen=True)
class SimilarLead:
    lead: Lead
    reasons: list[str]
    text_score: float


@dataclass(frozen=True)
class LeadView:
    access: LeadAccess
    overdue: bool
    assignee: str | None
    unit: str | None
    case_number: str | None
    history: list[LeadStatusChange]
    additions: list[LeadAddition]
    attachments: list[Document]
    similar: list[SimilarLead]
    group: list[Lead]

    @property
    def lead(self) -> Lead:
        return self.access.lead


def lead_view(session: Session, ctx: RequestContext, reference: str) -> LeadView:
    """Return a lead with its history, additions, attachments, similar leads and group."""
    access = read_lead(session, ctx, reference)
    lead = access.lead
    names = _names(session, [lead])
    linked = session.get(Case, lead.case_id) if lead.case_id else None
    return LeadView(
        access=access,
        overdue=is_overdue(lead),
        assignee=names.get(lead.assignee_id or ""),
        unit=names.get(lead.unit_id or ""),
        case_number=linked.number if linked is not None else None,
        history=list(
            session.execute(
                select(LeadStatusChange)
                .where(LeadStatusChange.lead_id == lead.id)
                .order_by(LeadStatusChange.changed_at, LeadStatusChange.id)
            ).scalars()
        ),
        additions=list(
            session.execute(
                select(LeadAddition).where(LeadAddition.lead_id == lead.id).order_by(LeadAddition.created_at)
            ).scalars()
        ),
        attachments=lead_attachments(session, lead.id),
        similar=_similar(session, ctx, lead),
        group=group_members(session, ctx, lead),
    )


def lead_attachments(session: Session, lead_id: str) -> list[Document]:
    """Return the files of a lead as they arrived: top-level documents with no case."""
    return list(
        session.execute(
            select(Document)
            .where(Document.lead_id == lead_id, Document.case_id.is_(None), Document.depth == 0)
            .order_by(Document.created_at, Document.id)
        ).scalars()
    )


def _similar(session: Session, ctx: RequestContext, lead: Lead) -> list[SimilarLead]:
    rows = session.execute(
        select(LeadSimilarity).where(
            or_(LeadSimilarity.lead_id == lead.id, LeadSimilarity.other_id == lead.id)
        )
    ).scalars()
    pairs = {(row.other_id if row.lead_id == lead.id else row.lead_id): row for row in rows}
    if not pairs:
        return []
    visible = _visible(session, ctx).where(Lead.id.in_(sorted(pairs))).order_by(Lead.received_at)
    return [
        SimilarLead(lead=other, reasons=list(pairs[other.id].reasons), text_score=pairs[other.id].text_score)
        for other in session.execute(visible).scalars()
    ]


def group_members(session: Session, ctx: RequestContext, lead: Lead) -> list[Lead]:
    """Return the leads of ``lead``'s group that the actor may see, oldest first, itself included."""
    if lead.group_id is None:
        return [lead]
    query = _visible(session, ctx).where(Lead.group_id == lead.group_id).order_by(Lead.received_at, Lead.id)
    return list(session.execute(query).scalars())

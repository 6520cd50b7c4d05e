"""Candidates as a user sees them, and the decisions that confirm or reject them.

A candidate is shown only to someone who may see both of its sides. A side in a case the
reader cannot see is reported through deconfliction notices instead. Decisions are
retracted, never deleted; a confirmed decision creates a "same as" link that a retraction ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import guard_for, open_case
from casetrail.cases.models import Case
from casetrail.core.clock import utcnow
from casetrail.core.errors import Conflict, NotFound, ValidationFailed
from casetrail.db.outbox import emit
from casetrail.entities.models import CaseEntity
from casetrail.xref.models import Candidate, Decision, SameAsLink, Watchlist, WatchlistEntity

VERDICTS = ("confirmed", "rejected")


@dataclass(frozen=True)
class SideView:
    """One side of a candidate as its reader may see it."""

    entity_id: str
    caption: str
    schema: str
    case_number: str | None
    watchlist: str | None


@dataclass(frozen=True)
class CandidateView:
    candidate: Candidate
    left: SideView
    right: SideView
    decisions: list[Decision]


class _Permissions:
    """Case permissions of one actor, computed once per case within a request."""

    def __init__(self, session: Session, ctx: RequestContext) -> None:
        self.session = session
        self.ctx = ctx
        self.cache: dict[str, frozenset[str]] = {}
        self.supervised = policy.supervised_unit_ids(session, ctx.actor)

    def of(self, case_id: str | None) -> frozenset[str] | None:
        """Return the permissions on a case; None stands for a watch-list side."""
        if case_id is None:
            return None
        if case_id not in self.cache:
            case = self.session.get(Case, case_id)
            granted: frozenset[str] = frozenset()
            if case is not None:
                guard = guard_for(self.session, self.ctx, case)
                granted = policy.case_permissions(self.ctx.actor, guard, self.supervised)
            self.cache[case_id] = granted
        return self.cache[case_id]

    def sees(self, candidate: Candidate) -> bool:
        left = self.of(candidate.left_case_id) or frozenset()
        return policy.can_see_candidate(self.ctx.actor, left, self.of(candidate.right_case_id))


def list_case_candidates(
    session: Session, ctx: RequestContext, number: str, *, status: str | None = None, limit: int = 200
) -> list[CandidateView]:
    """List the candidates of a case's entities whose other side the reader may also see."""
    access = open_case(session, ctx, number, CasePermission.READ, "xref.candidate_list")
    case = access.case
    query = select(Candidate).where(
        or_(Candidate.left_case_id == case.id, Candidate.right_case_id == case.id)
    )
    if status:
        query = query.where(Candidate.status == status)
    rows = session.execute(query.order_by(Candidate.score.desc(), Candidate.id).limit(limit)).scalars()
    permissions = _Permissions(session, ctx)
    views = [_view(session, row) for row in rows if permissions.sees(row)]
    record(
        session,
        ctx.audit_source,
        AuditAction.XREF_CANDIDATE_LIST,
        object_type="xref_candidate",
        case_id=case.id,
        detail={"returned": [view.candidate.id for view in views]},
    )
    return views


def get_candidate(session: Session, ctx: RequestContext, candidate_id: str) -> CandidateView:
    """Return a candidate whose two sides the reader may see; any other reads as not found."""
    candidate = _visible_candidate(session, ctx, candidate_id)
    return _view(session, candidate)


def _visible_candidate(
    session: Session, ctx: RequestContext, candidate_id: str, *, lock: bool = False
) -> Candidate:
    candidate = session.get(Candidate, candidate_id, with_for_update=lock or None)
    if candidate is None:
        raise NotFound(f"candidate {candidate_id} not found")
    permissions = _Permissions(session, ctx)
    left = permissions.of(candidate.left_case_id) or frozenset()
    policy.require_candidate_read(ctx.actor, left, permissions.of(candidate.right_case_id), candidate.id)
    return candidate


def _view(session: Session, candidate: Candidate) -> CandidateView:
    left = _case_side(session, candidate.left_case_id, candidate.left_entity_id)
    if candidate.right_case_id is not None:
        right = _case_side(session, candidate.right_case_id, candidate.right_entity_id)
    else:
        assert candidate.right_watchlist_id is not None
        right = _watchlist_side(session, candidate.right_watchlist_id, candidate.right_entity_id)
    decisions = list(
        session.execute(
            select(Decision).where(Decision.candidate_id == candidate.id).order_by(Decision.decided_at)
        ).scalars()
    )
    return CandidateView(candidate=candidate, left=left, right=right, decisions=decisions)


def _case_side(session: Session, case_id: str, entity_id: str) -> SideView:
    case = session.get(Case, case_id)
    row = session.get(CaseEntity, (case_id, entity_id))
    return SideView(
        entity_id=entity_id,
        caption=row.caption if row else entity_id,
        schema=row.schema if row else "",
        case_number=case.number if case else None,
        watchlist=None,
    )


def _watchlist_side(session: Session, watchlist_id: str, entity_id: str) -> SideView:
    watchlist = session.get(Watchlist, watchlist_id)
    row = session.get(WatchlistEntity, (watchlist_id, entity_id))
    return SideView(
        entity_id=entity_id,
        caption=row.caption if row else entity_id,
        schema=row.schema if row else "",
        case_number=None,
        watchlist=watchlist.name if watchlist else None,
    )


def decide(
    session: Session, ctx: RequestContext, candidate_id: str, *, verdict: str, reason: str
) -> Decision:
    """Confirm or reject a candidate. A confirmation links the two entities as the same."""
    if verdict not in VERDICTS:
        raise ValidationFailed(
            f"unknown verdict {verdict!r}: choose one of {', '.join(VERDICTS)}", {"verdict": "unknown"}
        )
    if not reason.strip():
        raise ValidationFailed("a reason is required for a decision", {"reason": "missing"})
    candidate = _decidable(session, ctx, candidate_id)
    if _live_decision(session, candidate.id) is not None:
        raise Conflict(f"candidate {candidate_id} is already {candidate.status}: retract that decision first")
    decision = Decision(
        candidate_id=candidate.id,
        verdict=verdict,
        reason=reason.strip(),
        decided_by=ctx.actor.username,
        decided_by_id=ctx.actor.user_id,
        decided_at=utcnow(),
    )
    session.add(decision)
    session.flush()
    if verdict == "confirmed":
        session.add(_link(candidate, decision, ctx.actor.username))
    candidate.status = verdict
    candidate.updated_at = utcnow()
    session.flush()
    _audit_decision(session, ctx, candidate, decision, AuditAction.XREF_DECISION)
    return decision


def retract_decision(session: Session, ctx: RequestContext, decision_id: str, *, reason: str) -> Decision:
    """Withdraw a decision; the candidate is open again and a "same as" link it made ends."""
    if not reason.strip():
        raise ValidationFailed("a reason is required to retract a decision", {"reason": "missing"})
    decision = session.get(Decision, decision_id, with_for_update=True)
    if decision is None:
        raise NotFound(f"decision {decision_id} not found")
    candidate = _decidable(session, ctx, decision.candidate_id)
    if decision.retracted_at is not None:
        raise Conflict(f"decision {decision_id} was already retracted")
    now = utcnow()
    decision.retracted_at = now
    decision.retracted_by = ctx.actor.username
    decision.retraction_reason = reason.strip()
    link = session.execute(
        select(SameAsLink).where(SameAsLink.decision_id == decision.id)
    ).scalar_one_or_none()
    if link is not None:
        link.removed_at = now
        link.removed_by = ctx.actor.username
    candidate.status = "open"
    candidate.updated_at = now
    session.flush()
    _audit_decision(session, ctx, candidate, decision, AuditAction.XREF_DECISION_RETRACT)
    return decision


def _decidable(session: Session, ctx: RequestContext, candidate_id: str) -> Candidate:
    candidate = session.get(Candidate, candidate_id, with_for_update=True)
    if candidate is None:
        raise NotFound(f"candidate {candidate_id} not found")
    permissions = _Permissions(session, ctx)
    left = permissions.of(candidate.left_case_id) or frozenset()
    policy.require_candidate_decision(ctx.actor, left, permissions.of(candidate.right_case_id), candidate.id)
    return candidate


def _live_decision(session: Session, candidate_id: str) -> Decision | None:
    return session.execute(
        select(Decision).where(Decision.candidate_id == candidate_id, Decision.retracted_at.is_(None))
    ).scalar_one_or_none()


def _link(candidate: Candidate, decision: Decision, username: str) -> SameAsLink:
    return SameAsLink(
        decision_id=decision.id,
        candidate_id=candidate.id,
        left_case_id=candidate.left_case_id,
        left_entity_id=candidate.left_entity_id,
        right_case_id=candidate.right_case_id,
        right_watchlist_id=candidate.right_watchlist_id,
        right_entity_id=candidate.right_entity_id,
        created_by=username,
        created_at=utcnow(),
    )


def _audit_decision(
    session: Session, ctx: RequestContext, candidate: Candidate, decision: Decision, action: AuditAction
) -> None:
    detail = {
        "candidate_id": candidate.id,
        "verdict": decision.verdict,
        "right_case_id": candidate.right_case_id,
        "right_watchlist_id": candidate.right_watchlist_id,
    }
    record(
        session,
        ctx.audit_source,
        action,
        object_type="xref_decision",
        object_id=decision.id,
        case_id=candidate.left_case_id,
        detail=detail,
    )
    operation = "delete" if decision.retracted_at is not None else "create"
    for case_id in {candidate.left_case_id, candidate.right_case_id} - {None}:
        emit(
            session,
            object_type="xref_decision",
            object_id=decision.id,
            operation=operation,
            case_id=case_id,
            payload={"candidate_id": candidate.id, "verdict": decision.verdict},
        )


def list_links(session: Session, ctx: RequestContext, number: str) -> list[SameAsLink]:
    """List the live "same as" links of a case's entities whose other side the reader may see."""
    access = open_case(session, ctx, number, CasePermission.READ, "xref.candidate_list")
    case = access.case
    rows = session.execute(
        select(SameAsLink).where(
            or_(SameAsLink.left_case_id == case.id, SameAsLink.right_case_id == case.id),
            SameAsLink.removed_at.is_(None),
        )
    ).scalars()
    permissions = _Permissions(session, ctx)
    visible = []
    for link in rows:
        left = permissions.of(link.left_case_id) or frozenset()
        if policy.can_see_candidate(ctx.actor, left, permissions.of(link.right_case_id)):
            visible.append(link)
    return visible

"""Merging two entities within one case, and undoing a merge.

A merge moves the loser's live statements in that case to the winner (``canonical_id``) and
marks the loser ``merged_into`` the winner; other cases are untouched. References to the loser
resolve to the winner when entities are read. Undo moves back exactly the statements the merge
moved. A merge can be undone while its winner has not itself been merged away since.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import ensure_not_frozen, open_case
from casetrail.cases.service import check_version
from casetrail.core.clock import utcnow
from casetrail.core.errors import Conflict, NotFound, ValidationFailed
from casetrail.db.outbox import emit
from casetrail.entities.models import CaseEntity, EntityMerge, EntityMergeStatement, Statement
from casetrail.entities.schema import common_schema
from casetrail.entities.statements import refresh_case_entity


def merge_entities(
    session: Session,
    ctx: RequestContext,
    number: str,
    *,
    winner_id: str,
    loser_id: str,
    reason: str,
    expected_versions: dict[str, int] | None = None,
) -> EntityMerge:
    access = open_case(session, ctx, number, CasePermission.WRITE, "entity.merge")
    case = access.case
    ensure_not_frozen(case)
    if not reason or not reason.strip():
        raise ValidationFailed("a reason is required to merge entities", {"reason": "missing"})
    if winner_id == loser_id:
        raise ValidationFailed("an entity cannot be merged with itself", {"loser_id": "same as winner"})
    winner = session.get(CaseEntity, (case.id, winner_id), with_for_update=True)
    loser = session.get(CaseEntity, (case.id, loser_id), with_for_update=True)
    for entity_id, row in ((winner_id, winner), (loser_id, loser)):
        if row is None:
            raise NotFound(f"entity {entity_id} not found in case {number}")
        if row.merged_into is not None:
            raise Conflict(f"entity {entity_id} was already merged into {row.merged_into}")
    assert winner is not None
    assert loser is not None
    for entity_id, row in ((winner_id, winner), (loser_id, loser)):
        expected = (expected_versions or {}).get(entity_id)
        if expected is not None:
            check_version("entity", entity_id, row.version, expected)
    winner.schema = common_schema(winner.schema, loser.schema)

    merge = EntityMerge(
        case_id=case.id,
        winner_id=winner_id,
        loser_id=loser_id,
        reason=reason.strip(),
        merged_by=ctx.actor.username,
    )
    session.add(merge)
    session.flush()
    moved = list(
        session.execute(
            select(Statement.id).where(Statement.case_id == case.id, Statement.canonical_id == loser_id)
        ).scalars()
    )
    session.add_all(EntityMergeStatement(merge_id=merge.id, statement_id=sid) for sid in moved)
    session.execute(
        update(Statement)
        .where(Statement.case_id == case.id, Statement.canonical_id == loser_id)
        .values(canonical_id=winner_id)
    )
    loser.merged_into = winner_id
    loser.updated_at = utcnow()
    session.flush()
    refresh_case_entity(session, winner)
    session.flush()

    record(
        session,
        ctx.audit_source,
        AuditAction.ENTITY_MERGE,
        object_type="entity_merge",
        object_id=merge.id,
        case_id=case.id,
        detail={"winner_id": winner_id, "loser_id": loser_id, "statements": len(moved)},
    )
    emit(
        session,
        object_type="entity_merge",
        object_id=merge.id,
        operation="create",
        case_id=case.id,
        payload={"winner_id": winner_id, "loser_id": loser_id},
    )
    return merge


def undo_merge(
    session: Session, ctx: RequestContext, number: str, merge_id: str, *, reason: str
) -> EntityMerge:
    access = open_case(session, ctx, number, CasePermission.WRITE, "entity.merge_undo")
    case = access.case
    ensure_not_frozen(case)
    if not reason or not reason.strip():
        raise ValidationFailed("a reason is required to undo a merge", {"reason": "missing"})
    merge = session.get(EntityMerge, merge_id, with_for_update=True)
    if merge is None or merge.case_id != case.id:
        raise NotFound(f"merge {merge_id} not found in case {number}")
    if merge.undone_at is not None:
        raise Conflict(f"merge {merge_id} was already undone")
    winner = session.get(CaseEntity, (case.id, merge.winner_id), with_for_update=True)
    loser = session.get(CaseEntity, (case.id, merge.loser_id), with_for_update=True)
    assert winner is not None
    assert loser is not None
    if winner.merged_into is not None:
        raise Conflict(
            f"entity {merge.winner_id} has since been merged into {winner.merged_into}: undo that merge first"
        )

    moved = select(EntityMergeStatement.statement_id).where(EntityMergeStatement.merge_id == merge.id)
    session.execute(
        update(Statement)
        .where(Statement.id.in_(moved), Statement.canonical_id == merge.winner_id)
        .values(canonical_id=merge.loser_id)
    )
    loser.merged_into = None
    merge.undone_at = utcnow()
    merge.undone_by = ctx.actor.username
    merge.undo_reason = reason.strip()
    session.flush()
    refresh_case_entity(session, loser)
    refresh_case_entity(session, winner)
    session.flush()

    record(
        session,
        ctx.audit_source,
        AuditAction.ENTITY_MERGE_UNDO,
        object_type="entity_merge",
        object_id=merge.id,
        case_id=case.id,
        detail={"winner_id": merge.winner_id, "loser_id": merge.loser_id},
    )
    emit(
        session,
        object_type="entity_merge",
        object_id=merge.id,
        operation="delete",
        case_id=case.id,
        payload={"winner_id": merge.winner_id, "loser_id": merge.loser_id},
    )
    return merge


def list_merges(session: Session, ctx: RequestContext, number: str) -> list[EntityMerge]:
    access = open_case(session, ctx, number, CasePermission.READ, "entity.read")
    return list(
        session.execute(
            select(EntityMerge)
            .where(EntityMerge.case_id == access.case.id)
            .order_by(EntityMerge.merged_at.desc())
        ).scalars()
    )

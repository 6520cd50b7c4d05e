"""Entities of a case: create, add and retract facts, read, list and follow relationships."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import ensure_not_frozen, open_case
from casetrail.cases.models import Case
from casetrail.cases.service import check_version
from casetrail.core.clock import utcnow
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.core.ids import new_id
from casetrail.db.outbox import emit
from casetrail.entities.models import CaseEntity, Statement
from casetrail.entities.schema import check_reference_range, clean_entity
from casetrail.entities.statements import (
    Source,
    build_proxy,
    check_source,
    ensure_entity,
    live_statements,
    merge_redirects,
    refresh_case_entity,
    upsert_case_entity,
    write_statements,
)


@dataclass(frozen=True)
class EntityView:
    proxy: EntityProxy
    record: CaseEntity
    statements: list[Statement]
    redirected_from: str | None = None


@dataclass(frozen=True)
class RelationshipView:
    """An entity of the case that refers to the viewed entity through ``prop``."""

    proxy: EntityProxy
    prop: str
    others: dict[str, str]
    """Other entities the relationship names, by id, with their captions."""


def _check_references(session: Session, case: Case, schema_name: str, values: list[Any]) -> None:
    schema = model.get(schema_name)
    assert schema is not None
    for value in values:
        if value.prop_type != "entity":
            continue
        target = session.get(CaseEntity, (case.id, value.value))
        if target is None:
            raise ValidationFailed(
                f"{schema_name}.{value.prop} refers to {value.value}, which is not in case {case.number}",
                {value.prop: "unknown entity"},
            )
        check_reference_range(schema, value.prop, target.schema)


def create_entity(
    session: Session,
    ctx: RequestContext,
    number: str,
    *,
    schema: str,
    properties: dict[str, Any],
    source: Source,
    entity_id: str | None = None,
) -> EntityView:
    """Create an entity in a case from property values; references must name case entities."""
    access = open_case(session, ctx, number, CasePermission.WRITE, "entity.create")
    case = access.case
    ensure_not_frozen(case)
    check_source(session, case, source)
    clean = clean_entity(entity_id or new_id(), schema, properties)
    if not clean.values:
        raise ValidationFailed("an entity needs at least one property value", {"properties": "empty"})
    if session.get(CaseEntity, (case.id, clean.id)) is not None:
        raise ValidationFailed(
            f"entity {clean.id} already exists in case {number}: add facts to it instead",
            {"id": "exists in case"},
        )
    _check_references(session, case, clean.schema.name, clean.values)

    ensure_entity(session, clean.id)
    row = upsert_case_entity(session, case, clean.id, clean.schema.name)
    statements = write_statements(
        session, ctx, case, clean.id, schema=clean.schema.name, values=clean.values, source=source
    )
    session.flush()
    proxy = refresh_case_entity(session, row)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.ENTITY_CREATE,
        object_type="entity",
        object_id=clean.id,
        case_id=case.id,
        detail={"schema": clean.schema.name, "statements": len(statements), "source": source.type.value},
    )
    emit(
        session,
        object_type="entity",
        object_id=clean.id,
        operation="create",
        case_id=case.id,
        payload={"statement_ids": [stmt.id for stmt in statements]},
    )
    return EntityView(proxy=proxy, record=row, statements=statements)


def add_statements(
    session: Session,
    ctx: RequestContext,
    number: str,
    entity_id: str,
    *,
    properties: dict[str, Any],
    source: Source,
    expected_version: int | None,
) -> EntityView:
    access = open_case(session, ctx, number, CasePermission.WRITE, "statement.add")
    case = access.case
    ensure_not_frozen(case)
    check_source(session, case, source)
    row = _case_entity(session, case, entity_id, lock=True)
    if row.merged_into is not None:
        raise ValidationFailed(
            f"entity {entity_id} was merged into {row.merged_into}: record facts on that entity",
            {"entity_id": "merged"},
        )
    check_version("entity", entity_id, row.version, expected_version)
    clean = clean_entity(entity_id, row.schema, properties)
    if not clean.values:
        raise ValidationFailed("no property values given", {"properties": "empty"})
    _check_references(session, case, row.schema, clean.values)

    statements = write_statements(
        session, ctx, case, entity_id, schema=row.schema, values=clean.values, source=source
    )
    session.flush()
    proxy = refresh_case_entity(session, row)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.STATEMENT_ADD,
        object_type="entity",
        object_id=entity_id,
        case_id=case.id,
        detail={"statement_ids": [stmt.id for stmt in statements], "source": source.type.value},
    )
    emit(
        session,
        object_type="entity",
        object_id=entity_id,
        operation="update",
        case_id=case.id,
        payload={"statement_ids": [stmt.id for stmt in statements]},
    )
    return EntityView(proxy=proxy, record=row, statements=live_statements(session, case.id, entity_id))


def retract_statement(
    session: Session,
    ctx: RequestContext,
    number: str,
    statement_id: str,
    *,
    reason: str,
    expected_version: int | None,
) -> EntityView:
    """Mark a fact as withdrawn. It stays stored, with who withdrew it, when and why."""
    access = open_case(session, ctx, number, CasePermission.WRITE, "statement.retract")
    case = access.case
    ensure_not_frozen(case)
    if not reason or not reason.strip():
        raise ValidationFailed("a reason is required to retract a fact", {"reason": "missing"})
    stmt = session.get(Statement, statement_id)
    if stmt is None or stmt.case_id != case.id or stmt.retracted_at is not None:
        raise NotFound(f"statement {statement_id} not found in case {number}")
    row = _case_entity(session, case, stmt.canonical_id, lock=True)
    check_version("entity", row.entity_id, row.version, expected_version)
    stmt.retracted_at = utcnow()
    stmt.retracted_by = ctx.actor.username
    stmt.retraction_reason = reason.strip()
    session.flush()
    proxy = refresh_case_entity(session, row)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.STATEMENT_RETRACT,
        object_type="statement",
        object_id=stmt.id,
        case_id=case.id,
        detail={"entity_id": row.entity_id},
    )
    emit(
        session,
        object_type="entity",
        object_id=row.entity_id,
        operation="update",
        case_id=case.id,
        payload={"retracted_statement_ids": [stmt.id]},
    )
    return EntityView(proxy=proxy, record=row, statements=live_statements(session, case.id, row.entity_id))


def _case_entity(session: Session, case: Case, entity_id: str, *, lock: bool = False) -> CaseEntity:
    row = session.get(CaseEntity, (case.id, entity_id), with_for_update=lock or None)
    if row is None:
        raise NotFound(f"entity {entity_id} not found in case {case.number}")
    return row


def get_entity(session: Session, ctx: RequestContext, number: str, entity_id: str) -> EntityView:
    """Read an entity from its case's statements. A merged-away id resolves to the merge winner."""
    access = open_case(session, ctx, number, CasePermission.READ, "entity.read")
    case = access.case
    row = _case_entity(session, case, entity_id)
    redirected_from = None
    if row.merged_into is not None:
        redirects = merge_redirects(session, case.id)
        redirected_from = entity_id
        row = _case_entity(session, case, redirects.get(entity_id, row.merged_into))
    statements = live_statements(session, case.id, row.entity_id)
    proxy = build_proxy(row.entity_id, row.schema, statements, merge_redirects(session, case.id))
    record(
        session,
        ctx.audit_source,
        AuditAction.ENTITY_READ,
        object_type="entity",
        object_id=row.entity_id,
        case_id=case.id,
    )
    return EntityView(proxy=proxy, record=row, statements=statements, redirected_from=redirected_from)


@dataclass(frozen=True)
class EntityPage:
    items: list[CaseEntity]
    total: int


def list_entities(
    session: Session,
    ctx: RequestContext,
    number: str,
    *,
    schema: str | None = None,
    text: str | None = None,
    include_relationships: bool = False,
    relationships_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> EntityPage:
    """List the case's entities by schema and caption.

    Without ``schema``, relationships (FtM edge schemata such as Ownership) are left out
    unless ``include_relationships`` is set; ``relationships_only`` lists only them.
    """
    access = open_case(session, ctx, number, CasePermission.READ, "entity.list")
    query = select(CaseEntity).where(CaseEntity.case_id == access.case.id, CaseEntity.merged_into.is_(None))
    if relationships_only:
        edge_names = [s.name for s in model.schemata.values() if s.edge]
        query = query.where(CaseEntity.schema.in_(edge_names))
    if schema:
        target = model.get(schema)
        if target is None:
            raise ValidationFailed(f"unknown schema {schema!r}", {"schema": "unknown"})
        names = [s.name for s in model.schemata.values() if s.is_a(target)]
        query = query.where(CaseEntity.schema.in_(names))
    elif not (include_relationships or relationships_only):
        edge_names = [s.name for s in model.schemata.values() if s.edge]
        query = query.where(CaseEntity.schema.not_in(edge_names))
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(CaseEntity.caption).like(pattern), CaseEntity.entity_id == text))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    items = list(
        session.execute(
            query.order_by(CaseEntity.schema, CaseEntity.caption).limit(limit).offset(offset)
        ).scalars()
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.ENTITY_LIST,
        object_type="entity",
        case_id=access.case.id,
        detail={"returned": len(items), "schema": schema},
    )
    return EntityPage(items=items, total=total)


def relationships(
    session: Session, ctx: RequestContext, number: str, entity_id: str
) -> list[RelationshipView]:
    """Return the case entities that refer to ``entity_id`` (or an entity merged into it)."""
    access = open_case(session, ctx, number, CasePermission.READ, "entity.read")
    case = access.case
    _case_entity(session, case, entity_id)
    redirects = merge_redirects(session, case.id)
    aliases = [entity_id, *[loser for loser, winner in redirects.items() if winner == entity_id]]
    referring = session.execute(
        select(Statement.canonical_id, Statement.prop)
        .where(
            Statement.case_id == case.id,
            Statement.prop_type == "entity",
            Statement.value.in_(aliases),
            Statement.retracted_at.is_(None),
        )
        .distinct()
    ).all()

    views: list[RelationshipView] = []
    for canonical_id, prop in referring:
        row = session.get(CaseEntity, (case.id, canonical_id))
        if row is None or row.merged_into is not None or canonical_id == entity_id:
            continue
        proxy = build_proxy(
            canonical_id, row.schema, live_statements(session, case.id, canonical_id), redirects
        )
        other_ids = [
            value
            for prop_def, value in proxy.itervalues()
            if prop_def.type.name == "entity" and value != entity_id
        ]
        others = _captions(session, case.id, other_ids)
        views.append(RelationshipView(proxy=proxy, prop=prop, others=others))
    record(
        session,
        ctx.audit_source,
        AuditAction.ENTITY_READ,
        object_type="entity",
        object_id=entity_id,
        case_id=case.id,
        detail={"view": "relationships", "returned": len(views)},
    )
    return views


def _captions(session: Session, case_id: str, entity_ids: list[str]) -> dict[str, str]:
    if not entity_ids:
        return {}
    rows = session.execute(
        select(CaseEntity.entity_id, CaseEntity.caption, CaseEntity.schema).where(
            CaseEntity.case_id == case_id, CaseEntity.entity_id.in_(entity_ids)
        )
    ).all()
    found = {entity: caption for entity, caption, _ in rows}
    return {entity: found.get(entity, f"{entity} (not in this case)") for entity in entity_ids}


def caption_map(session: Session, case: Case, entity_ids: list[str]) -> dict[str, str]:
    """Return captions of referenced entities; ids outside the case are marked as such."""
    return _captions(session, case.id, entity_ids)

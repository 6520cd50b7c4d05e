"""Entities of a case: create, read, add and retract facts, follow relationships.

Entity ids in paths may contain '.', ':' and '-', as OpenSanctions ids do. They never contain '/'
because the entity id check rejects it, so the default path parameter matches them whole.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from casetrail.api.openapi import error_responses
from casetrail.api.schemas.entities import (
    EntityCreate,
    EntityDetail,
    EntityPage,
    EntitySummary,
    RelationshipOut,
    SourceRef,
    StatementOut,
    StatementRetract,
    StatementsAdd,
    ftm_entity,
)
from casetrail.entities import service as entity_service
from casetrail.entities.models import CaseEntity, Statement
from casetrail.entities.service import EntityView
from casetrail.entities.statements import Source, SourceType
from casetrail.http.deps import Ctx, DbSession

router = APIRouter(prefix="/cases/{number}", tags=["entities"], responses=error_responses(404))

MAX_PAGE = 500


def _statement_out(stmt: Statement) -> StatementOut:
    return StatementOut(
        id=stmt.id,
        entity_id=stmt.entity_id,
        prop=stmt.prop,
        value=stmt.value,
        original_value=stmt.original_value,
        source=SourceRef(type=SourceType(stmt.source_type), id=stmt.source_id),
        recorded_by=stmt.recorded_by,
        recorded_at=stmt.recorded_at,
    )


def _detail(view: EntityView) -> EntityDetail:
    return EntityDetail(
        entity=ftm_entity(view.proxy.to_dict()),
        caption=view.record.caption,
        statements=[_statement_out(stmt) for stmt in view.statements],
        version=view.record.version,
        redirected_from=view.redirected_from,
    )


def _summary(row: CaseEntity) -> EntitySummary:
    return EntitySummary.model_validate(
        {
            "id": row.entity_id,
            "schema": row.schema,
            "caption": row.caption,
            "version": row.version,
            "updated_at": row.updated_at,
        }
    )


def _source(ref: SourceRef) -> Source:
    return Source(type=ref.type, id=ref.id)


@router.get("/entities")
def list_entities(
    *,
    number: str,
    session: DbSession,
    ctx: Ctx,
    schema: Annotated[
        str | None, Query(description="Only entities of this schema or its descendants, e.g. LegalEntity.")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Part of the caption, or an exact id.")
    ] = None,
    include_relationships: Annotated[
        bool, Query(description="Also list relationship entities (Ownership, Family, ...).")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EntityPage:
    """List the entities of a case by schema and caption; merged-away entities are left out."""
    page = entity_service.list_entities(
        session,
        ctx,
        number,
        schema=schema,
        text=q,
        include_relationships=include_relationships,
        limit=limit,
        offset=offset,
    )
    return EntityPage(items=[_summary(row) for row in page.items], total=page.total)


@router.post("/entities", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409))
def create_entity(number: str, body: EntityCreate, session: DbSession, ctx: Ctx) -> EntityDetail:
    """Create an entity from property values; references must name entities of the case."""
    view = entity_service.create_entity(
        session,
        ctx,
        number,
        schema=body.schema_name,
        properties=body.properties,
        source=_source(body.source),
        entity_id=body.id,
    )
    return _detail(view)


@router.get("/entities/{entity_id}")
def get_entity(number: str, entity_id: str, session: DbSession, ctx: Ctx) -> EntityDetail:
    """Read an entity with its facts and their provenance. A merged-away id reads as its winner."""
    return _detail(entity_service.get_entity(session, ctx, number, entity_id))


@router.post("/entities/{entity_id}/statements", responses=error_responses(403, 409))
def add_statements(
    number: str, entity_id: str, body: StatementsAdd, session: DbSession, ctx: Ctx
) -> EntityDetail:
    """Record more facts about an entity."""
    view = entity_service.add_statements(
        session,
        ctx,
        number,
        entity_id,
        properties=body.properties,
        source=_source(body.source),
        expected_version=body.expected_version,
    )
    return _detail(view)


@router.post("/statements/{statement_id}/retract", responses=error_responses(403, 409))
def retract_statement(
    number: str, statement_id: str, body: StatementRetract, session: DbSession, ctx: Ctx
) -> EntityDetail:
    """Withdraw a fact. It stays stored with who withdrew it, when and why; reads leave it out."""
    view = entity_service.retract_statement(
        session, ctx, number, statement_id, reason=body.reason, expected_version=body.expected_version
    )
    return _detail(view)


@router.get("/entities/{entity_id}/relationships")
def list_relationships(number: str, entity_id: str, session: DbSession, ctx: Ctx) -> list[RelationshipOut]:
    """List the entities of the case that refer to this one, such as its ownerships and family links."""
    views = entity_service.relationships(session, ctx, number, entity_id)
    return [
        RelationshipOut(entity=ftm_entity(view.proxy.to_dict()), prop=view.prop, others=view.others)
        for view in views
    ]

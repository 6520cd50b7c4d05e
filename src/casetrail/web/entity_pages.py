"""Entity pages: facts with their provenance, relationships, adding and retracting facts.

Facts are entered as rows of property and value. The rows offer only the properties of the
entity's schema, so adding an entity takes two steps without JavaScript: choose the schema,
then fill the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from followthemoney.schema import Schema
from sqlalchemy.orm import Session

from casetrail.auth.context import RequestContext
from casetrail.cases import notes as note_service
from casetrail.cases import service as case_service
from casetrail.entities import service as entity_service
from casetrail.entities.models import Statement
from casetrail.entities.schema import get_schema
from casetrail.entities.service import RelationshipView
from casetrail.http.deps import Ctx, DbSession
from casetrail.web.case_view import Capabilities, case_banner
from casetrail.web.forms import form_text, parse_source, property_rows, see_other
from casetrail.web.templating import render

router = APIRouter()

FACT_ROWS = 5
# Entities offered as values of reference properties (owner, asset, person, ...).
REFERENCE_CHOICES = 500


@dataclass(frozen=True)
class PropertyOption:
    name: str
    label: str
    type: str


@dataclass(frozen=True)
class FactGroup:
    """The live statements of one property, in the order they were recorded."""

    prop: str
    label: str
    type: str
    statements: list[Statement]


@dataclass(frozen=True)
class RelationshipLine:
    """A relationship of the viewed entity, worded from its side.

    ``direction`` is ``outgoing`` when the viewed entity is the relationship's source (it owns,
    directs, ...), ``incoming`` when it is the target, and ``other`` for any other property.
    """

    entity_id: str
    caption: str
    label: str
    direction: str
    role: str
    others: dict[str, str]


def relationship_line(view: RelationshipView) -> RelationshipLine:
    schema = view.proxy.schema
    prop = schema.get(view.prop)
    role = prop.label if prop is not None else view.prop
    if schema.edge and view.prop == schema.edge_source:
        direction = "outgoing"
    elif schema.edge and view.prop == schema.edge_target:
        direction = "incoming"
    else:
        direction = "other"
    label = schema.edge_label if schema.edge and direction != "other" else schema.label
    caption = view.proxy.caption or schema.label
    return RelationshipLine(str(view.proxy.id), caption, label or schema.label, direction, role, view.others)


def relationship_lines(views: list[RelationshipView]) -> list[RelationshipLine]:
    """Word each relationship from the viewed entity's side, links between entities first."""
    lines = [relationship_line(view) for view in views]
    return sorted(lines, key=lambda line: (line.direction == "other", line.label, line.caption))


def property_options(schema: Schema) -> list[PropertyOption]:
    """Return the properties a user can set on ``schema``: featured ones first, then by label."""
    usable = [prop for prop in schema.properties.values() if not prop.stub and not prop.hidden]
    ordered = sorted(usable, key=lambda prop: (_featured_rank(schema, prop.name), prop.label.lower()))
    return [PropertyOption(prop.name, prop.label, prop.type.name) for prop in ordered]


def _fact_groups(schema: Schema, statements: list[Statement]) -> list[FactGroup]:
    groups: dict[str, list[Statement]] = {}
    for stmt in statements:
        groups.setdefault(stmt.prop, []).append(stmt)
    result = []
    for name, items in groups.items():
        prop = schema.get(name)
        label = prop.label if prop is not None else name
        result.append(FactGroup(name, label, items[0].prop_type, items))
    return sorted(result, key=lambda group: (_featured_rank(schema, group.prop), group.label.lower()))


def _featured_rank(schema: Schema, prop: str) -> int:
    """Return the position of ``prop`` among the schema's featured properties, or after them."""
    featured = list(schema.featured)
    return featured.index(prop) if prop in featured else len(featured)


def _form_choices(session: Session, ctx: RequestContext, number: str) -> dict[str, Any]:
    """Return the notes a fact can cite and the case entities a reference can name."""
    notes = note_service.list_notes(session, ctx, number)
    entities = entity_service.list_entities(
        session, ctx, number, include_relationships=True, limit=REFERENCE_CHOICES
    )
    return {"source_notes": notes, "reference_entities": entities.items, "fact_rows_count": FACT_ROWS}


@router.get("/cases/{number}/entities/{entity_id}")
def entity_page(request: Request, number: str, entity_id: str, session: DbSession, ctx: Ctx) -> HTMLResponse:
    access = case_service.get_case(session, ctx, number)
    view = entity_service.get_entity(session, ctx, number, entity_id)
    schema = view.proxy.schema
    referenced = [stmt.value for stmt in view.statements if stmt.prop_type == "entity"]
    relationships = entity_service.relationships(session, ctx, number, view.record.entity_id)
    context: dict[str, Any] = {
        **case_banner(access),
        "view": view,
        "schema": schema,
        "groups": _fact_groups(schema, view.statements),
        "captions": entity_service.caption_map(session, access.case, referenced),
        "relationships": relationship_lines(relationships),
        "properties": property_options(schema),
    }
    if Capabilities.of(access).write:
        context.update(_form_choices(session, ctx, number))
    return render(request, "entity.html", context)


@router.get("/cases/{number}/new-entity")
def new_entity_form(
    request: Request,
    number: str,
    session: DbSession,
    ctx: Ctx,
    schema: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    access = case_service.get_case(session, ctx, number)
    chosen = get_schema(schema)
    context: dict[str, Any] = {
        **case_banner(access),
        "schema": chosen,
        "properties": property_options(chosen),
        **_form_choices(session, ctx, number),
    }
    return render(request, "entity_new.html", context)


@router.post("/cases/{number}/entities")
async def create_entity(request: Request, number: str, session: DbSession, ctx: Ctx) -> RedirectResponse:
    form = await request.form()
    view = entity_service.create_entity(
        session,
        ctx,
        number,
        schema=form_text(form, "schema"),
        properties=property_rows(form),
        source=parse_source(form_text(form, "source")),
    )
    return see_other(f"/cases/{number}/entities/{view.record.entity_id}", "Entity added.")


@router.post("/cases/{number}/entities/{entity_id}/facts")
async def add_facts(
    request: Request, number: str, entity_id: str, session: DbSession, ctx: Ctx
) -> RedirectResponse:
    form = await request.form()
    view = entity_service.add_statements(
        session,
        ctx,
        number,
        entity_id,
        properties=property_rows(form),
        source=parse_source(form_text(form, "source")),
        expected_version=_version(form_text(form, "expected_version")),
    )
    count = len(property_rows(form))
    noun = "property" if count == 1 else "properties"
    return see_other(f"/cases/{number}/entities/{view.record.entity_id}", f"Facts added to {count} {noun}.")


@router.post("/cases/{number}/statements/{statement_id}/retract")
def retract_fact(
    *,
    number: str,
    statement_id: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: Annotated[int, Form()],
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    view = entity_service.retract_statement(
        session, ctx, number, statement_id, reason=reason, expected_version=expected_version
    )
    return see_other(f"/cases/{number}/entities/{view.record.entity_id}", "Fact retracted.")


def _version(value: str) -> int | None:
    """Parse the hidden version field; a missing one lets the service name the problem."""
    return int(value) if value.strip().isdigit() else None

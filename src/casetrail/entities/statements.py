"""Writing and reading statements of one case: the shared core of the entity services."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.auth.context import RequestContext
from casetrail.cases.models import Case, Note
from casetrail.core.clock import utcnow
from casetrail.core.errors import ValidationFailed
from casetrail.entities.models import CaseEntity, Entity, Statement
from casetrail.entities.schema import CleanValue, common_schema


class SourceType(StrEnum):
    MANUAL = "manual"
    NOTE = "note"
    IMPORT = "import"
    DOCUMENT = "document"
    LEAD = "lead"


@dataclass(frozen=True)
class Source:
    """Where a fact came from: typed in, a note of the case, an import batch, a document or a lead."""

    type: SourceType
    id: str | None = None


def check_source(session: Session, case: Case, source: Source) -> None:
    if source.type == SourceType.NOTE:
        note = session.get(Note, source.id) if source.id else None
        if note is None or note.case_id != case.id:
            raise ValidationFailed(
                f"source note {source.id} not found in case {case.number}", {"source": "no such note"}
            )
    elif source.type in (SourceType.IMPORT, SourceType.DOCUMENT, SourceType.LEAD) and not source.id:
        raise ValidationFailed(f"a {source.type} source needs an id", {"source": "missing id"})


def ensure_entity(session: Session, entity_id: str) -> None:
    if session.get(Entity, entity_id) is None:
        session.add(Entity(id=entity_id))
        session.flush()


def write_statements(
    session: Session,
    ctx: RequestContext,
    case: Case,
    entity_id: str,
    *,
    schema: str,
    values: Iterable[CleanValue],
    source: Source,
) -> list[Statement]:
    now = utcnow()
    rows = [
        Statement(
            entity_id=entity_id,
            canonical_id=entity_id,
            case_id=case.id,
            schema=schema,
            prop=value.prop,
            prop_type=value.prop_type,
            value=value.value,
            original_value=value.original,
            source_type=source.type,
            source_id=source.id,
            recorded_by=ctx.actor.username,
            recorded_by_id=ctx.actor.user_id,
            recorded_at=now,
        )
        for value in values
    ]
    session.add_all(rows)
    return rows


def upsert_case_entity(session: Session, case: Case, entity_id: str, schema: str) -> CaseEntity:
    """Register ``entity_id`` in the case, widening its schema when the new facts need it."""
    row = session.get(CaseEntity, (case.id, entity_id))
    if row is None:
        row = CaseEntity(case_id=case.id, entity_id=entity_id, schema=schema, caption="")
        session.add(row)
        return row
    if row.merged_into is not None:
        raise ValidationFailed(
            f"entity {entity_id} was merged into {row.merged_into}: record facts on that entity",
            {"entity_id": "merged"},
        )
    combined = common_schema(row.schema, schema)
    if combined != row.schema:
        row.schema = combined
    return row


def live_statements(session: Session, case_id: str, canonical_id: str) -> list[Statement]:
    return list(
        session.execute(
            select(Statement)
            .where(
                Statement.case_id == case_id,
                Statement.canonical_id == canonical_id,
                Statement.retracted_at.is_(None),
            )
            .order_by(Statement.recorded_at, Statement.id)
        ).scalars()
    )


def merge_redirects(session: Session, case_id: str) -> dict[str, str]:
    """Map every merged-away entity id of the case to the id that now carries its facts."""
    pairs = dict(
        session.execute(
            select(CaseEntity.entity_id, CaseEntity.merged_into).where(
                CaseEntity.case_id == case_id, CaseEntity.merged_into.is_not(None)
            )
        ).all()
    )
    resolved: dict[str, str] = {}
    for loser, first_target in pairs.items():
        target: str = first_target or loser
        seen = {loser}
        while target in pairs and target not in seen:
            seen.add(target)
            target = pairs[target] or target
        resolved[loser] = target
    return resolved


def build_proxy(
    entity_id: str, schema: str, statements: Iterable[Statement], redirects: dict[str, str]
) -> EntityProxy:
    """Build an FtM proxy from statements, pointing references at merge winners."""
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for stmt in statements:
        value = redirects.get(stmt.value, stmt.value) if stmt.prop_type == "entity" else stmt.value
        proxy.add(stmt.prop, value, cleaned=True, quiet=True)
    return proxy


def refresh_case_entity(session: Session, row: CaseEntity) -> EntityProxy:
    """Recompute schema and caption of a case entity from its live statements."""
    statements = live_statements(session, row.case_id, row.entity_id)
    schema = row.schema
    schemata = {stmt.schema for stmt in statements}
    if schemata:
        schema = schemata.pop()
        for other in schemata:
            schema = common_schema(schema, other)
    proxy = build_proxy(row.entity_id, schema, statements, merge_redirects(session, row.case_id))
    row.schema = schema
    row.caption = (proxy.caption or row.entity_id)[:500]
    row.updated_at = utcnow()
    return proxy

"""Writing case data through the real services and reading the Iceberg tables back."""

from __future__ import annotations

from typing import Any

from pyiceberg.expressions import AlwaysTrue, BooleanExpression
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.models import User
from casetrail.cases import notes as note_service
from casetrail.cases.models import Case, Note
from casetrail.db.engine import transaction
from casetrail.entities import service as entity_service
from casetrail.entities.service import EntityView
from casetrail.entities.statements import Source, SourceType
from casetrail.lakehouse.registry import spec_named
from casetrail.lakehouse.runtime import Lakehouse
from casetrail.lakehouse.tables import load_table
from tests.factories import context_for


def add_person(
    factory: sessionmaker[Session], user: User, case: Case, name: str, **more: list[str]
) -> EntityView:
    with transaction(factory) as session:
        return entity_service.create_entity(
            session,
            context_for(user),
            case.number,
            schema="Person",
            properties={"name": [name], **more},
            source=Source(SourceType.MANUAL),
        )


def add_note(factory: sessionmaker[Session], user: User, case: Case, body: str) -> Note:
    with transaction(factory) as session:
        return note_service.add_note(session, context_for(user), case.number, body)


def rows(lake: Lakehouse, table: str, row_filter: BooleanExpression | None = None) -> list[dict[str, Any]]:
    loaded = load_table(lake.catalog, lake.config, spec_named(table))
    if loaded is None:
        return []
    scanned: list[dict[str, Any]] = loaded.scan(row_filter=row_filter or AlwaysTrue()).to_arrow().to_pylist()
    return scanned


def values(lake: Lakehouse, table: str, column: str) -> list[Any]:
    return sorted(row[column] for row in rows(lake, table))

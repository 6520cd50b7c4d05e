"""Removing purged records from the operational store, keeping only hashes for the certificate.

An entity purge removes, within one case, the entity's statements (those recorded under its id
and those a merge moved to it), its case entity row and those of entities merged into it, and
the global entity row once no case refers to it any more. A note purge removes the note;
facts recorded from it keep their rows, with a source id that no longer resolves.
Audit records are never removed: they hold ids, not content.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session

from casetrail.cases.models import Note
from casetrail.db.outbox import emit
from casetrail.entities.models import CaseEntity, Entity, EntityMergeStatement, Statement


def sha256_text(value: str | None) -> str | None:
    return hashlib.sha256(value.encode()).hexdigest() if value is not None else None


@dataclass
class RemovedRecords:
    """Ids of removed records with SHA-256 digests of their content, never the content."""

    statements: list[dict[str, Any]] = field(default_factory=list)
    case_entities: list[dict[str, Any]] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)

    def as_detail(self) -> dict[str, Any]:
        return {
            "statements": self.statements,
            "case_entities": self.case_entities,
            "entities": self.entities,
            "notes": self.notes,
        }


def purge_entities(
    session: Session, case_id: str, entity_ids: Iterable[str], removed: RemovedRecords
) -> None:
    ids = sorted(set(entity_ids))
    if not ids:
        return
    merged = session.execute(
        select(CaseEntity).where(
            CaseEntity.case_id == case_id, or_(CaseEntity.entity_id.in_(ids), CaseEntity.merged_into.in_(ids))
        )
    ).scalars()
    rows = list(merged)
    statements = list(
        session.execute(
            select(Statement).where(
                Statement.case_id == case_id,
                or_(Statement.entity_id.in_(ids), Statement.canonical_id.in_(ids)),
            )
        ).scalars()
    )
    removed.statements.extend(
        {
            "id": stmt.id,
            "entity_id": stmt.entity_id,
            "prop": stmt.prop,
            "value_sha256": sha256_text(stmt.value),
            "original_value_sha256": sha256_text(stmt.original_value),
        }
        for stmt in statements
    )
    removed.case_entities.extend(
        {"entity_id": row.entity_id, "caption_sha256": sha256_text(row.caption)} for row in rows
    )
    statement_ids = [stmt.id for stmt in statements]
    if statement_ids:
        session.execute(
            delete(EntityMergeStatement).where(EntityMergeStatement.statement_id.in_(statement_ids))
        )
        session.execute(delete(Statement).where(Statement.id.in_(statement_ids)))
    entity_ids_removed = sorted({row.entity_id for row in rows} | set(ids))
    session.execute(
        delete(CaseEntity).where(CaseEntity.case_id == case_id, CaseEntity.entity_id.in_(entity_ids_removed))
    )
    session.flush()
    _drop_unreferenced_entities(session, entity_ids_removed, removed)
    for entity_id in entity_ids_removed:
        # Followers (graph, xref and later search) drop what they derived from the entity when
        # they re-read it and find nothing.
        emit(
            session,
            object_type="entity",
            object_id=entity_id,
            operation="delete",
            case_id=case_id,
            payload={"purged": True},
        )


def _drop_unreferenced_entities(session: Session, entity_ids: list[str], removed: RemovedRecords) -> None:
    for entity_id in entity_ids:
        in_use = session.execute(
            select(
                exists().where(CaseEntity.entity_id == entity_id)
                | exists().where(Statement.entity_id == entity_id)
            )
        ).scalar()
        if not in_use and session.get(Entity, entity_id) is not None:
            session.execute(delete(Entity).where(Entity.id == entity_id))
            removed.entities.append(entity_id)


def purge_notes(session: Session, case_id: str, note_ids: Iterable[str], removed: RemovedRecords) -> None:
    for note_id in sorted(set(note_ids)):
        note = session.get(Note, note_id)
        if note is None or note.case_id != case_id:
            continue
        removed.notes.append({"id": note.id, "body_sha256": sha256_text(note.body)})
        session.delete(note)
        emit(
            session,
            object_type="note",
            object_id=note_id,
            operation="delete",
            case_id=case_id,
            payload={"purged": True},
        )
    session.flush()

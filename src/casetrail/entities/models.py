"""Entity records.

An entity id is global: the same person can carry statements from several cases. A case sees
only statements recorded in it; ``case_entity`` lists the entities a case holds, with a cached
schema and caption and a ``version`` for optimistic concurrency.

Merging within a case moves the loser's statements to the winner by changing their
``canonical_id``; ``entity_id`` keeps the id they were recorded under, and
``entity_merge_statement`` remembers which statements a merge moved, so the merge can be undone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.db.base import Base

ENTITY_ID_LENGTH = 200


class Entity(Base):
    __tablename__ = "entity"

    id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)


class CaseEntity(Base):
    __tablename__ = "case_entity"

    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entity.id"), primary_key=True)
    schema: Mapped[str] = mapped_column(String(64), nullable=False)
    caption: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    merged_into: Mapped[str | None] = mapped_column(String(ENTITY_ID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_case_entity_case_schema", "case_id", "schema"),
        Index("ix_case_entity_entity_id", "entity_id"),
    )


class ImportBatch(Base):
    """One import of a file into a case: the source of the statements it created."""

    __tablename__ = "import_batch"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    format: Mapped[str] = mapped_column(String(32), nullable=False)
    file_name: Mapped[str] = mapped_column(String(500), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    statement_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    imported_by: Mapped[str] = mapped_column(String(200), nullable=False)
    imported_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)


class Statement(Base):
    """One fact: entity, property, value, with the case, the source and who recorded it."""

    __tablename__ = "statement"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entity.id"), nullable=False)
    canonical_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), nullable=False)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    schema: Mapped[str] = mapped_column(String(64), nullable=False)
    prop: Mapped[str] = mapped_column(String(64), nullable=False)
    prop_type: Mapped[str] = mapped_column(String(32), nullable=False)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    original_value: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(8))
    source_type: Mapped[str] = mapped_column(String(16), nullable=False)
    source_id: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    recorded_by_id: Mapped[str | None] = mapped_column(String(36))
    recorded_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    retracted_at: Mapped[datetime | None] = mapped_column()
    retracted_by: Mapped[str | None] = mapped_column(String(200))
    retraction_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_statement_case_canonical", "case_id", "canonical_id"),
        Index("ix_statement_entity_id", "entity_id"),
        Index("ix_statement_type_value", "prop_type", "value"),
        Index("ix_statement_source", "source_type", "source_id"),
    )


class EntityMerge(Base):
    __tablename__ = "entity_merge"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    winner_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), nullable=False)
    loser_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    merged_by: Mapped[str] = mapped_column(String(200), nullable=False)
    merged_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    undone_by: Mapped[str | None] = mapped_column(String(200))
    undone_at: Mapped[datetime | None] = mapped_column()
    undo_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_entity_merge_case_id", "case_id"),)


class EntityMergeStatement(Base):
    __tablename__ = "entity_merge_statement"

    merge_id: Mapped[str] = mapped_column(ForeignKey("entity_merge.id"), primary_key=True)
    statement_id: Mapped[str] = mapped_column(ForeignKey("statement.id"), primary_key=True)

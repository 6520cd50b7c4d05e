"""Tables of the entities context: case entities, statements and the relationships among them.

An entity event refreshes every row recorded under the entity id or resolved to it
(``canonical_id``). A merge event refreshes both sides, which covers statements moving from the
loser to the winner and back on undo.
"""

from __future__ import annotations

from typing import Any

from pyiceberg.transforms import BucketTransform
from sqlalchemy import Select, select

from casetrail.db.outbox import OutboxEvent
from casetrail.entities.models import CaseEntity, Statement
from casetrail.lakehouse.spec import Partition, Selection, TableSpec

# Statements, entities and relationships are partitioned by a hash of the case id: every
# analyst query is filtered to the user's cases, and engines that prune partitions (Trino,
# Spark, PyIceberg) then read only the buckets of those cases. 16 buckets keep files large
# enough for a few million statements per bucket without a bucket per case.
CASE_BUCKETS = 16


def _case_bucket() -> Partition:
    return Partition("case_id", BucketTransform(CASE_BUCKETS), "case_id_bucket")


def _entity_ids(event: OutboxEvent) -> set[str]:
    if event.object_type == "entity_merge":
        payload = event.payload or {}
        return {str(payload[side]) for side in ("winner_id", "loser_id") if payload.get(side)}
    return {event.object_id}


def _entity_refresh(event: OutboxEvent) -> list[Selection]:
    if event.case_id is None:
        return []
    return [Selection("entity_id", frozenset(_entity_ids(event)), case_id=event.case_id)]


def _statement_refresh(event: OutboxEvent) -> list[Selection]:
    if event.case_id is None:
        return []
    ids = frozenset(_entity_ids(event))
    return [
        Selection("entity_id", ids, case_id=event.case_id),
        Selection("canonical_id", ids, case_id=event.case_id),
    ]


def _entities_source() -> Select[Any]:
    return select(*CaseEntity.__table__.columns)


def _statements_source() -> Select[Any]:
    return select(*Statement.__table__.columns)


def _relationships_source() -> Select[Any]:
    columns: list[Any] = [
        Statement.id,
        Statement.case_id,
        Statement.entity_id,
        Statement.canonical_id,
        Statement.schema,
        Statement.prop,
        Statement.value.label("target_id"),
        Statement.source_type,
        Statement.source_id,
        Statement.recorded_by,
        Statement.recorded_at,
    ]
    return select(*columns).where(Statement.prop_type == "entity", Statement.retracted_at.is_(None))


_FOLLOWS = frozenset({"entity", "entity_merge"})

ENTITIES = TableSpec(
    name="entities",
    description="Entities each case holds (case_entity): schema, caption, merge target, version.",
    source=_entities_source,
    key=("case_id", "entity_id"),
    partitions=(_case_bucket(),),
    follows=_FOLLOWS,
    refresh=_entity_refresh,
)

STATEMENTS = TableSpec(
    name="statements",
    description="Every fact with its provenance; retracted facts stay with who withdrew them and why.",
    source=_statements_source,
    key=("id",),
    partitions=(_case_bucket(),),
    follows=_FOLLOWS,
    refresh=_statement_refresh,
)

RELATIONSHIPS = TableSpec(
    name="relationships",
    description=(
        "Live entity-typed statements as edges: canonical_id --prop--> target_id, e.g. an "
        "Ownership's owner and asset. target_id is the id as recorded; join entities.merged_into "
        "to follow merges."
    ),
    source=_relationships_source,
    key=("id",),
    partitions=(_case_bucket(),),
    follows=_FOLLOWS,
    refresh=_statement_refresh,
)

"""Table specs: how each operational record becomes an Iceberg table.

A ``TableSpec`` names the table, the SQLAlchemy query that reads its current rows (one labelled
column per Iceberg column), the key that identifies a row, the partition spec, and, for tables
that follow the outbox, the outbox object types it follows and the rows an event refreshes.
The Iceberg schema is derived from the query's column types, so a column that a migration adds
to a model reaches the table as an added column (see ``tables.ensure_table``); nothing is
rewritten. A new context adds its tables by writing specs and listing them in ``registry``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pyiceberg.expressions import AlwaysFalse, And, BooleanExpression, EqualTo, In, Or
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import Transform
from pyiceberg.types import (
    BooleanType,
    DateType,
    IcebergType,
    LongType,
    NestedField,
    StringType,
    TimestamptzType,
)
from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Integer, Select, String, Text
from sqlalchemy.types import TypeDecorator, TypeEngine

from casetrail.db.outbox import OutboxEvent

# Iceberg field ids of a partition spec start at 1000 by convention.
FIRST_PARTITION_FIELD_ID = 1000


class Stream(StrEnum):
    """Which ordered log feeds a table: the outbox, or the audit trail's own sequence."""

    OUTBOX = "outbox"
    AUDIT = "audit"


class Access(StrEnum):
    """Who may read a table's rows through SQL."""

    CASE = "case"
    """Rows of the cases the policy lets the user see."""
    AUDIT = "audit"
    """Every row, for those the policy lets read the audit trail; nothing for others."""


@dataclass(frozen=True)
class Selection:
    """Rows whose ``column`` is one of ``values``, within one case when ``case_id`` is given."""

    column: str
    values: frozenset[str]
    case_id: str | None = None


@dataclass(frozen=True)
class Partition:
    column: str
    transform: Transform[Any, Any]
    name: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    source: Callable[[], Select[Any]]
    """Query for the current rows, one labelled column per Iceberg column."""
    key: tuple[str, ...]
    """Columns that identify a row: ``("id",)`` or ``("case_id", COLUMN)``."""
    partitions: tuple[Partition, ...] = ()
    stream: Stream = Stream.OUTBOX
    follows: frozenset[str] = frozenset()
    """Outbox object types whose events change this table."""
    refresh: Callable[[OutboxEvent], list[Selection]] = field(default=lambda _event: [])
    """The rows an event may have changed, re-read from the store and replaced."""
    access: Access = Access.CASE
    case_column: str = "case_id"
    """Column holding the case id, used by the permission filter."""

    def columns(self) -> list[tuple[str, TypeEngine[Any]]]:
        return [(str(column.key), column.type) for column in self.source().selected_columns]

    def iceberg_schema(self) -> Schema:
        fields = [
            NestedField(field_id=index, name=name, field_type=iceberg_type(kind), required=False)
            for index, (name, kind) in enumerate(self.columns(), start=1)
        ]
        return Schema(*fields)

    def partition_spec(self, schema: Schema) -> PartitionSpec:
        fields = [
            PartitionField(
                source_id=schema.find_field(part.column).field_id,
                field_id=FIRST_PARTITION_FIELD_ID + index,
                transform=part.transform,
                name=part.name,
            )
            for index, part in enumerate(self.partitions)
        ]
        return PartitionSpec(*fields)

    def key_selections(self, rows: Iterable[dict[str, object]]) -> list[Selection]:
        """Select the given rows by key, so replacing them never leaves an old copy behind."""
        if len(self.key) == 1:
            values = frozenset(str(row[self.key[0]]) for row in rows)
            return [Selection(self.key[0], values)] if values else []
        case_column, column = self.key
        return [
            Selection(column, frozenset([str(row[column])]), case_id=str(row[case_column])) for row in rows
        ]


def iceberg_type(kind: TypeEngine[Any]) -> IcebergType:
    """Map a SQLAlchemy column type to the Iceberg type of its column; JSON becomes its text."""
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, DateTime):
        return TimestamptzType()
    if isinstance(kind, Date):
        return DateType()
    if isinstance(kind, Boolean):
        return BooleanType()
    if isinstance(kind, Integer | BigInteger):
        return LongType()
    if isinstance(kind, JSON | String | Text):
        return StringType()
    raise TypeError(f"no Iceberg type for column type {kind!r}: extend lakehouse.spec.iceberg_type")


def compact(selections: Iterable[Selection]) -> list[Selection]:
    """Merge selections on the same column and case into one, so filters stay short."""
    grouped: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for selection in selections:
        grouped[(selection.column, selection.case_id)].update(selection.values)
    return [
        Selection(column, frozenset(values), case_id)
        for (column, case_id), values in sorted(grouped.items(), key=str)
    ]


def iceberg_filter(selections: Sequence[Selection], case_column: str) -> BooleanExpression:
    """Build the Iceberg row filter matching any of ``selections``.

    The disjunction is built as a balanced tree: PyIceberg's visitors recurse once per level,
    and a left-deep chain of a few thousand terms would exceed Python's recursion limit.
    """
    terms: list[BooleanExpression] = []
    for selection in selections:
        term: BooleanExpression = In(term=selection.column, literals=sorted(selection.values))
        if selection.case_id is not None:
            term = And(EqualTo(term=case_column, value=selection.case_id), term)
        terms.append(term)
    return _balanced_or(terms)


def _balanced_or(terms: Sequence[BooleanExpression]) -> BooleanExpression:
    if not terms:
        return AlwaysFalse()
    if len(terms) == 1:
        return terms[0]
    middle = len(terms) // 2
    return Or(_balanced_or(terms[:middle]), _balanced_or(terms[middle:]))

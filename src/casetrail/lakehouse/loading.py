"""Reading the current rows of a table spec from the operational store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from casetrail.db.engine import transaction
from casetrail.lakehouse.spec import Selection, TableSpec

# Values per IN list and terms per OR keep statements well within SQLite's and PostgreSQL's
# limits on bound parameters.
IN_CHUNK = 500
TERMS_PER_QUERY = 20


def _chunks(values: Sequence[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def load_rows(
    factory: sessionmaker[Session], spec: TableSpec, selections: Sequence[Selection]
) -> list[dict[str, Any]]:
    """Return the current rows matching any selection, once each, in one short transaction."""
    source = spec.source().subquery()
    terms: list[ColumnElement[bool]] = []
    for selection in selections:
        for values in _chunks(sorted(selection.values), IN_CHUNK):
            term: ColumnElement[bool] = source.c[selection.column].in_(values)
            if selection.case_id is not None:
                term = and_(source.c[spec.case_column] == selection.case_id, term)
            terms.append(term)
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    with transaction(factory) as session:
        for group in _chunks(terms, TERMS_PER_QUERY):
            for row in session.execute(select(source).where(or_(*group))).mappings():
                rows[tuple(row[name] for name in spec.key)] = dict(row)
    return list(rows.values())


def stream_rows(
    factory: sessionmaker[Session],
    spec: TableSpec,
    *,
    chunk_size: int,
    at_most: tuple[str, int] | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Yield every row of the spec in key order, each chunk read in its own short transaction.

    ``at_most`` (column, maximum) leaves out rows above a bound, e.g. audit records newer than
    the sequence number a rebuild records.

    Keyset pagination instead of one long read keeps each transaction short: on SQLite every
    transaction holds the database's write lock.
    """
    source = spec.source().subquery()
    key_columns = [source.c[name] for name in spec.key]
    last: tuple[Any, ...] | None = None
    while True:
        query = select(source).order_by(*key_columns).limit(chunk_size)
        if at_most is not None:
            column, maximum = at_most
            query = query.where(source.c[column] <= maximum)
        if last is not None:
            query = query.where(tuple_(*key_columns) > tuple_(*last))
        with transaction(factory) as session:
            chunk = [dict(row) for row in session.execute(query).mappings()]
        if not chunk:
            return
        yield chunk
        last = tuple(chunk[-1][name] for name in spec.key)

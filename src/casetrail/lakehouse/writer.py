"""Replacing rows of one Iceberg table in one atomic commit.

A change deletes the rows matching a filter and appends the current rows in one Iceberg
transaction. PyIceberg writes the new data files first and swaps the table's metadata pointer
in the catalog last, so a crash between the two leaves unreferenced files (removed by
``maintenance.remove_orphan_files``) and the table exactly as it was.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa
from pyiceberg.expressions import AlwaysFalse, BooleanExpression
from pyiceberg.table import Table

from casetrail.lakehouse.tables import SEQ_PROPERTY

# PyIceberg warns when a delete matches nothing. Replacing rows by key routinely deletes
# nothing (a new record has no old copy), so that warning carries no information here.
_NOTHING_DELETED = "Delete operation did not match any records"

Hook = Callable[[str], None]


@dataclass(frozen=True)
class SyncHooks:
    """Points where a test stops the sync, to prove that a crash there loses and duplicates nothing.

    ``after_data_files`` runs once a table's new data files are written, before the catalog
    commit; ``after_commit`` runs after it (both receive the table name).
    ``before_cursor_commit`` runs after every table of a batch is committed, before the cursor
    moves (it receives the cursor's consumer name).
    """

    after_data_files: Hook | None = None
    after_commit: Hook | None = None
    before_cursor_commit: Hook | None = None


NO_HOOKS = SyncHooks()


def to_arrow(table: Table, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Convert rows read from the store to an Arrow table in the Iceberg table's schema."""
    schema = table.schema().as_arrow()
    names = schema.names
    records = [{name: _cell(row.get(name)) for name in names} for row in rows]
    return pa.Table.from_pylist(records, schema=schema)


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, datetime | date | str | int | float | bool) or value is None:
        return value
    return str(value)


def replace_rows(
    table: Table,
    name: str,
    *,
    delete_filter: BooleanExpression,
    rows: pa.Table,
    applied_seq: int,
    hooks: SyncHooks = NO_HOOKS,
) -> bool:
    """Delete rows matching ``delete_filter`` and append ``rows`` in one commit.

    The snapshot summary records ``applied_seq``. Returns False when there was nothing to do.
    """
    if isinstance(delete_filter, AlwaysFalse) and rows.num_rows == 0:
        return False
    properties = {SEQ_PROPERTY: str(applied_seq)}
    transaction = table.transaction()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_NOTHING_DELETED)
        if not isinstance(delete_filter, AlwaysFalse):
            transaction.delete(delete_filter, snapshot_properties=properties)
        if rows.num_rows:
            transaction.append(rows, snapshot_properties=properties)
    # PyIceberg 0.12 has no public way to ask whether a transaction contains changes.
    if not transaction._updates:
        return False
    if hooks.after_data_files is not None:
        hooks.after_data_files(name)
    transaction.commit_transaction()
    if hooks.after_commit is not None:
        hooks.after_commit(name)
    return True

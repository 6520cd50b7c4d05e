"""Creating, evolving and reading the state of the Iceberg tables.

Each snapshot the sync commits records the last outbox sequence number (or audit sequence
number, for the audit table) it applied in its summary, under ``SEQ_PROPERTY``. That mark is
what lets a restarted sync skip events a table already holds; see ``sync``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.table import Table

from casetrail.core.logging import get_logger
from casetrail.lakehouse.config import LakehouseConfig
from casetrail.lakehouse.spec import TableSpec

log = get_logger(__name__)

SEQ_PROPERTY = "casetrail.applied-seq"
TABLE_PROPERTIES = {
    "format-version": "2",
    # Drop superseded metadata JSON files after each commit instead of keeping every version;
    # time travel reads snapshots listed in the current metadata file, not older files.
    "write.metadata.delete-after-commit.enabled": "true",
    "write.metadata.previous-versions-max": "20",
    # The sync commits small batches; merging manifests on append keeps their number, and so
    # the cost of planning each later delete, from growing with every commit.
    "commit.manifest-merge.enabled": "true",
}


def ensure_table(catalog: SqlCatalog, config: LakehouseConfig, spec: TableSpec) -> Table:
    """Load the table, creating it or adding columns that the store gained since."""
    identifier = config.qualified(spec.name)
    wanted = spec.iceberg_schema()
    try:
        table = catalog.load_table(identifier)
    except NoSuchTableError:
        table = catalog.create_table(
            identifier,
            schema=wanted,
            partition_spec=spec.partition_spec(wanted),
            properties=TABLE_PROPERTIES,
        )
        log.info("lakehouse_table_created", table=spec.name)
        return table
    known = {field.name for field in table.schema().fields}
    added = [field.name for field in wanted.fields if field.name not in known]
    if added:
        # Adding columns changes only metadata: old data files read the new columns as null.
        with table.update_schema() as update:
            update.union_by_name(wanted)
        log.info("lakehouse_schema_evolved", table=spec.name, added_columns=added)
        table = catalog.load_table(identifier)
    return table


def load_table(catalog: SqlCatalog, config: LakehouseConfig, spec: TableSpec) -> Table | None:
    try:
        return catalog.load_table(config.qualified(spec.name))
    except NoSuchTableError:
        return None


def applied_seq(table: Table) -> int:
    """Return the last sequence number recorded in the table's snapshots, 0 when none is."""
    snapshot = table.current_snapshot()
    while snapshot is not None:
        value = snapshot.summary.additional_properties.get(SEQ_PROPERTY) if snapshot.summary else None
        if value is not None:
            return int(value)
        if snapshot.parent_snapshot_id is None:
            break
        snapshot = table.snapshot_by_id(snapshot.parent_snapshot_id)
    return 0


@dataclass(frozen=True)
class TableState:
    name: str
    exists: bool
    snapshot_id: int | None = None
    committed_at: datetime | None = None
    applied_seq: int = 0
    records: int | None = None
    data_files: int | None = None
    snapshots: int = 0


def table_state(catalog: SqlCatalog, config: LakehouseConfig, spec: TableSpec) -> TableState:
    table = load_table(catalog, config, spec)
    if table is None:
        return TableState(name=spec.name, exists=False)
    snapshot = table.current_snapshot()
    if snapshot is None:
        return TableState(name=spec.name, exists=True)
    summary = snapshot.summary.additional_properties if snapshot.summary else {}
    return TableState(
        name=spec.name,
        exists=True,
        snapshot_id=snapshot.snapshot_id,
        committed_at=datetime.fromtimestamp(snapshot.timestamp_ms / 1000, UTC),
        applied_seq=applied_seq(table),
        records=int(summary.get("total-records", 0)),
        data_files=int(summary.get("total-data-files", 0)),
        snapshots=len(table.snapshots()),
    )

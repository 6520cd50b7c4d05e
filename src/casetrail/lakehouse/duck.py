"""DuckDB over the Iceberg tables, locked down for analyst queries.

Each query gets a fresh in-memory DuckDB database. The iceberg and avro extensions load from
the extension wheels (duckdb-extension-iceberg, duckdb-extension-avro) into an extension folder
under the lakehouse root: nothing is downloaded. The only relations the database holds are
views in the schema ``permitted``, one per table the query reads, each filtered to the user's
cases. Then file access is limited to the warehouse folder, Python replacement scans are off
and the configuration is locked, so even a query that got past ``sql_guard`` could not read
files outside the warehouse or change a setting.
"""

from __future__ import annotations

import importlib.resources
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.types import BooleanType, DateType, IcebergType, LongType, StringType, TimestamptzType

from casetrail.core.errors import ValidationFailed
from casetrail.core.settings import LakehouseSettings
from casetrail.lakehouse.config import LakehouseConfig
from casetrail.lakehouse.snapshots import ReadPoint

PERMITTED_SCHEMA = "permitted"
COLUMNS_VIEW = "lakehouse_columns"
EXTENSIONS = ("avro", "iceberg")
_CASE_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")
_DUCKDB_TYPES: dict[type[IcebergType], str] = {
    StringType: "VARCHAR",
    LongType: "BIGINT",
    TimestamptzType: "TIMESTAMPTZ",
    DateType: "DATE",
    BooleanType: "BOOLEAN",
}


class QueryFailed(ValidationFailed):
    """DuckDB rejected or aborted the query (a binder error, a type error, the time limit)."""

    code = "query_failed"


@dataclass(frozen=True)
class ViewSource:
    """What one permitted view shows: a table at a snapshot, filtered to some cases."""

    name: str
    point: ReadPoint
    case_column: str
    case_ids: Sequence[str] | None
    """Cases whose rows the view shows; None shows every row (the audit table for auditors)."""


@dataclass(frozen=True)
class QueryOutput:
    table: pa.Table
    truncated: bool


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _extension_file(name: str) -> str:
    package = importlib.resources.files(f"duckdb_extension_{name}")
    return str(package / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension")


def _load_extension(connection: duckdb.DuckDBPyConnection, name: str) -> None:
    try:
        connection.execute(f"LOAD {name}")
    except duckdb.Error:
        connection.execute(f"INSTALL {_quote(_extension_file(name))}")
        connection.execute(f"LOAD {name}")


def connect(config: LakehouseConfig, settings: LakehouseSettings) -> duckdb.DuckDBPyConnection:
    """Open an in-memory DuckDB with the iceberg extension loaded from the installed wheel."""
    if config.local_warehouse is None:
        # NOTE: reading an s3:// warehouse needs DuckDB's httpfs extension and a secret; that
        # path is not built yet, so SQL runs on local warehouses only.
        raise ValidationFailed(
            f"SQL over the warehouse {config.warehouse} is not supported yet: DuckDB reads local "
            "warehouses only; point Trino or Spark at it (`casetrail lakehouse trino-config`)",
            {"warehouse": "not local"},
        )
    config.extension_directory.mkdir(parents=True, exist_ok=True)
    config.spill_directory.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(
        ":memory:",
        config={
            "extension_directory": str(config.extension_directory),
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "threads": settings.query_threads,
            "memory_limit": settings.query_memory_limit,
            "temp_directory": str(config.spill_directory),
        },
    )
    for name in EXTENSIONS:
        _load_extension(connection, name)
    connection.execute(f"CREATE SCHEMA {PERMITTED_SCHEMA}")
    return connection


def create_view(connection: duckdb.DuckDBPyConnection, source: ViewSource) -> None:
    body = _view_body(source)
    connection.execute(f"CREATE VIEW {PERMITTED_SCHEMA}.{_ident(source.name)} AS {body}")


def _view_body(source: ViewSource) -> str:
    point = source.point
    if point.snapshot_id is None:
        return _empty_select(point.table.schema())
    scan = f"iceberg_scan({_quote(point.table.metadata_location)}, snapshot_from_id={int(point.snapshot_id)})"
    if source.case_ids is None:
        return f"SELECT * FROM {scan}"  # noqa: S608 (quoted by _quote and _ident)
    if not source.case_ids:
        return f"SELECT * FROM {scan} WHERE false"  # noqa: S608 (quoted by _quote and _ident)
    for case_id in source.case_ids:
        if not _CASE_ID.match(case_id):
            raise ValueError(f"unexpected case id {case_id!r} in a permission filter")
    listed = ", ".join(_quote(case_id) for case_id in source.case_ids)
    return f"SELECT * FROM {scan} WHERE {_ident(source.case_column)} IN ({listed})"  # noqa: S608 (quoted by _quote and _ident)


def _empty_select(schema: Schema) -> str:
    columns = ", ".join(
        f"CAST(NULL AS {_DUCKDB_TYPES.get(type(field.field_type), 'VARCHAR')}) AS {_ident(field.name)}"
        for field in schema.fields
    )
    return f"SELECT {columns} WHERE false"


def create_columns_view(connection: duckdb.DuckDBPyConnection, schemas: dict[str, Schema]) -> None:
    """Create ``lakehouse_columns``: every table's columns and types, the one catalog analysts see."""
    rows = [
        f"({_quote(table)}, {_quote(field.name)}, {_quote(str(field.field_type))}, {position})"
        for table, schema in sorted(schemas.items())
        for position, field in enumerate(schema.fields, start=1)
    ]
    values = ", ".join(rows)
    connection.execute(
        f"CREATE VIEW {PERMITTED_SCHEMA}.{COLUMNS_VIEW} AS SELECT * FROM (VALUES {values}) "  # noqa: S608 (quoted by _quote and _ident)
        "AS columns(table_name, column_name, data_type, ordinal_position)"
    )


def lock_down(connection: duckdb.DuckDBPyConnection, config: LakehouseConfig) -> None:
    """Limit file access to the warehouse and spill folders and lock the configuration."""
    warehouse = config.local_warehouse
    assert warehouse is not None
    allowed = [str(warehouse) + "/", str(config.spill_directory) + "/"]
    connection.execute("SET python_enable_replacements = false")
    connection.execute(f"SET allowed_directories = [{', '.join(_quote(path) for path in allowed)}]")
    connection.execute("SET enable_external_access = false")
    connection.execute("SET lock_configuration = true")


@contextmanager
def _deadline(connection: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[threading.Event]:
    fired = threading.Event()

    def interrupt() -> None:
        fired.set()
        connection.interrupt()

    timer = threading.Timer(seconds, interrupt)
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()


def run(
    connection: duckdb.DuckDBPyConnection, sql: str, *, max_rows: int, timeout_seconds: float
) -> QueryOutput:
    """Run ``sql`` and return at most ``max_rows`` rows; stop it after ``timeout_seconds``."""
    with _deadline(connection, timeout_seconds) as fired:
        try:
            connection.execute(sql)
            reader = connection.to_arrow_reader(min(max_rows + 1, 100_000))
            batches: list[pa.RecordBatch] = []
            count = 0
            for batch in reader:
                batches.append(batch)
                count += batch.num_rows
                if count > max_rows:
                    break
            table = pa.Table.from_batches(batches, schema=reader.schema)
        except duckdb.Error as error:
            if fired.is_set():
                raise QueryFailed(
                    f"the query ran longer than {timeout_seconds:g} seconds and was stopped: narrow it "
                    "or raise CASETRAIL_LAKEHOUSE__QUERY_TIMEOUT_SECONDS",
                    {"sql": "timed out"},
                ) from None
            raise QueryFailed(f"the query failed: {_first_line(error)}", {"sql": "failed"}) from None
    truncated = table.num_rows > max_rows
    return QueryOutput(table=table.slice(0, max_rows) if truncated else table, truncated=truncated)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

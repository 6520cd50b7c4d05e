"""Query results and their encodings: rows for people, CSV, JSON and Parquet for programs."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from casetrail.lakehouse.formats import ResultFormat


@dataclass(frozen=True)
class QueryResult:
    table: pa.Table
    truncated: bool
    snapshots: dict[str, int | None] = field(default_factory=dict)
    """The snapshot each lakehouse table was read at (None: the table was empty then)."""
    audit_id: str | None = None

    @property
    def columns(self) -> list[str]:
        return list(self.table.column_names)

    @property
    def column_types(self) -> list[str]:
        return [str(kind) for kind in self.table.schema.types]

    @property
    def row_count(self) -> int:
        return int(self.table.num_rows)

    def rows(self) -> list[list[Any]]:
        # By position: a query may return two columns of one name (SELECT * over a self-join).
        columns = [column.to_pylist() for column in self.table.columns]
        return [list(row) for row in zip(*columns, strict=True)] if columns else []

    def json_rows(self) -> list[list[Any]]:
        return [[json_value(value) for value in row] for row in self.rows()]

    def encode(self, result_format: ResultFormat) -> bytes:
        if result_format == ResultFormat.CSV:
            buffer = io.BytesIO()
            pa_csv.write_csv(self.table, buffer)
            return buffer.getvalue()
        if result_format == ResultFormat.PARQUET:
            buffer = io.BytesIO()
            pq.write_table(self.table, buffer)
            return buffer.getvalue()
        if result_format == ResultFormat.JSON:
            return json.dumps(self.document(), ensure_ascii=False).encode()
        raise ValueError(f"{result_format} has no byte encoding; print the rows instead")

    def document(self) -> dict[str, Any]:
        return {
            "columns": [
                {"name": name, "type": kind}
                for name, kind in zip(self.columns, self.column_types, strict=True)
            ],
            "rows": self.json_rows(),
            "row_count": self.row_count,
            "truncated": self.truncated,
            "snapshots": self.snapshots,
        }


def json_value(value: Any) -> Any:
    """Convert a value DuckDB returned into one JSON can carry."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return value

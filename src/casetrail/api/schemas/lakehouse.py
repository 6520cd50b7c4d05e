"""Analyst SQL over the lakehouse."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class SqlRequest(BaseModel):
    sql: str = Field(
        min_length=1,
        max_length=100_000,
        description="One SELECT over lakehouse tables, e.g. SELECT schema, count(*) FROM entities GROUP BY 1",
    )
    purpose: str | None = Field(
        default=None, max_length=500, description="Why the query is run; kept in the audit trail."
    )
    as_of: datetime | None = Field(
        default=None,
        description="Read the tables as they were at this moment, e.g. 2026-03-01T12:00:00Z.",
    )
    snapshot_id: int | None = Field(
        default=None, description="Read one table at this snapshot and the others as of its commit time."
    )
    format: Literal["json", "csv", "parquet"] = Field(
        default="json", description="json returns a SqlResult; csv and parquet return the file."
    )


class SqlColumn(BaseModel):
    name: str
    type: str = Field(description="Arrow type of the column, e.g. string, int64, timestamp[us, tz=UTC].")


class SqlResult(BaseModel):
    columns: list[SqlColumn]
    rows: list[list[Any]] = Field(description="Rows as arrays in column order; times in ISO 8601.")
    row_count: int
    truncated: bool = Field(description="True when the result was cut at the configured maximum of rows.")
    snapshots: dict[str, int | None] = Field(
        description="The snapshot each table was read at; null when the table had no data at that time."
    )

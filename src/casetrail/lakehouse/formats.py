"""Result formats of analyst SQL, kept apart from the writers so that importing them is cheap."""

from __future__ import annotations

from enum import StrEnum


class ResultFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"


MEDIA_TYPES = {
    ResultFormat.CSV: "text/csv; charset=utf-8",
    ResultFormat.JSON: "application/json",
    ResultFormat.PARQUET: "application/vnd.apache.parquet",
}

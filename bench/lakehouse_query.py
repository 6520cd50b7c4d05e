# ruff: noqa: T201, S608  (prints its figures; builds raw DuckDB SQL from generated ids)
"""Benchmark: analyst queries on DuckDB over a synthetic statements table, raw and permission-filtered.

Synthetic statements (ids, case ids spread over ``--cases`` cases, properties, values, times)
are written straight into the lakehouse's ``statements`` Iceberg table with PyIceberg, in
chunks of one million rows, partitioned like the real table (16 buckets of the case id). No
operational database is involved.

Each query runs ``--repeat`` times in two ways and the median is reported:

- raw: one DuckDB connection with the iceberg extension, ``iceberg_scan`` of the current
  metadata file, the query as written (with an explicit case filter in the columns for a subset of cases);
- casetrail: ``casetrail.lakehouse.query.execute_scoped``, the path of `casetrail sql` after
  the policy lookup: sqlglot check and rewrite, a fresh locked-down DuckDB, a view filtered to
  the visible case ids, the query. The policy lookup and the audit write (one short
  transaction each) are not included.

    .venv/bin/python bench/lakehouse_query.py --rows 10000000 --dir var/bench-lakehouse
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from casetrail.core.settings import LakehouseSettings, Settings
from casetrail.lakehouse import duck
from casetrail.lakehouse.config import config_for, open_catalog
from casetrail.lakehouse.query import QueryRequest, Scope, execute_scoped
from casetrail.lakehouse.specs_entities import STATEMENTS
from casetrail.lakehouse.sql_guard import check_query
from casetrail.lakehouse.tables import ensure_table

CHUNK = 1_000_000
PROPS = np.array(["name", "birthDate", "nationality", "phone", "email", "address", "owner", "asset"])
TYPES = np.array(["name", "date", "country", "phone", "email", "address", "entity", "entity"])

QUERIES = {
    "count all": "SELECT count(*) FROM statements",
    "count by property": "SELECT prop, count(*) FROM statements GROUP BY prop ORDER BY 2 DESC",
    "top 10 names": (
        "SELECT value, count(*) AS n FROM statements WHERE prop = 'name' "
        "GROUP BY value ORDER BY n DESC LIMIT 10"
    ),
    "entities with >3 links": (
        "SELECT count(*) FROM (SELECT canonical_id FROM statements WHERE prop_type = 'entity' "
        "GROUP BY canonical_id HAVING count(*) > 3)"
    ),
    "one month": (
        "SELECT count(*) FROM statements WHERE recorded_at >= TIMESTAMPTZ '2026-03-01 00:00:00+00' "
        "AND recorded_at < TIMESTAMPTZ '2026-04-01 00:00:00+00'"
    ),
}


def case_ids(count: int) -> list[str]:
    return [f"01a24000-0000-7000-8000-{index:012d}" for index in range(count)]


def generate(rows: int, start: int, cases: list[str], rng: np.random.Generator) -> pa.Table:
    case_index = rng.integers(0, len(cases), rows)
    prop_index = rng.integers(0, len(PROPS), rows)
    entity = rng.integers(0, max(rows // 4, 1), rows)
    seconds = rng.integers(0, 365 * 86400, rows)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [f"s{start + offset:012d}" for offset in range(rows)]
    entity_ids = [f"e{value:010d}" for value in entity]
    values = [f"value {value % 50_000}" for value in rng.integers(0, 10_000_000, rows)]
    recorded = pa.array(np.datetime64(base.replace(tzinfo=None)) + seconds.astype("timedelta64[s]"))
    columns = {
        "id": ids,
        "entity_id": entity_ids,
        "canonical_id": entity_ids,
        "case_id": np.array(cases)[case_index].tolist(),
        "schema": ["Person"] * rows,
        "prop": PROPS[prop_index].tolist(),
        "prop_type": TYPES[prop_index].tolist(),
        "value": values,
        "source_type": ["import"] * rows,
        "recorded_by": ["bench"] * rows,
        "recorded_at": recorded.cast(pa.timestamp("us", tz="UTC")),
    }
    return pa.table(columns)


def fill(settings: Settings, rows: int, cases: list[str]) -> float:
    config = config_for(settings)
    rng = np.random.default_rng(7)
    started = time.perf_counter()
    with open_catalog(config) as catalog:
        table = ensure_table(catalog, config, STATEMENTS)
        schema = table.schema().as_arrow()
        for start in range(0, rows, CHUNK):
            size = min(CHUNK, rows - start)
            chunk = generate(size, start, cases, rng)
            missing = [field for field in schema if field.name not in chunk.column_names]
            for field in missing:
                chunk = chunk.append_column(field, pa.nulls(size, field.type))
            table.append(chunk.select(schema.names).cast(schema))
            print(f"  wrote {start + size:,} rows", file=sys.stderr)
    return time.perf_counter() - started


def raw_runner(settings: Settings) -> tuple[duckdb.DuckDBPyConnection, str]:
    config = config_for(settings)
    with open_catalog(config) as catalog:
        location = catalog.load_table(config.qualified("statements")).metadata_location
    connection = duck.connect(config, settings.lakehouse)
    return connection, location


def through_casetrail(settings: Settings, sql: str, visible: list[str]) -> Callable[[], object]:
    checked = check_query(sql, ["statements"])
    scope = Scope(case_ids=visible, audit_trail=False)
    return lambda: execute_scoped(settings, checked, scope, QueryRequest(sql=sql))


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--visible", type=int, default=50, help="Cases an analyst sees in the filtered runs.")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=Path("var/bench-lakehouse"))
    args = parser.parse_args()

    shutil.rmtree(args.dir, ignore_errors=True)
    settings = Settings(
        data_dir=args.dir,
        lakehouse=LakehouseSettings(
            max_result_rows=1_000_000, query_memory_limit="8GB", query_timeout_seconds=600
        ),
    )
    cases = case_ids(args.cases)
    print(
        f"python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"{args.rows:,} rows, {args.cases} cases"
    )
    write_seconds = fill(settings, args.rows, cases)
    print(f"write: {write_seconds:.1f} s, {args.rows / write_seconds:,.0f} rows/s")

    connection, location = raw_runner(settings)
    visible = cases[: args.visible]
    in_list = ", ".join(f"'{case_id}'" for case_id in visible)
    print(
        "| query | raw, all cases (s) | casetrail, all cases (s) | ratio | raw, "
        f"{args.visible} cases (s) | casetrail, {args.visible} cases (s) | ratio |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, sql in QUERIES.items():
        raw_all = sql.replace("FROM statements", f"FROM iceberg_scan('{location}')")
        raw_some = sql.replace(
            "FROM statements", f"FROM (SELECT * FROM iceberg_scan('{location}') WHERE case_id IN ({in_list}))"
        )
        timings = [
            median_seconds(lambda q=raw_all: connection.execute(q).fetchall(), args.repeat),
            median_seconds(through_casetrail(settings, sql, cases), args.repeat),
            median_seconds(lambda q=raw_some: connection.execute(q).fetchall(), args.repeat),
            median_seconds(through_casetrail(settings, sql, visible), args.repeat),
        ]
        print(
            f"| {label} | {timings[0]:.3f} | {timings[1]:.3f} | {timings[1] / timings[0]:.2f} "
            f"| {timings[2]:.3f} | {timings[3]:.3f} | {timings[3] / timings[2]:.2f} |"
        )


if __name__ == "__main__":
    main()

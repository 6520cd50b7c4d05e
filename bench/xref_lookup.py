# ruff: noqa: T201  (a benchmark prints its figures to standard output)
"""Benchmark: candidate look-up for one entity against N stored entities in the blocking index.

The script computes the blocking keys of N synthetic people with the production key function
(``casetrail.xref.keys.entity_keys``) and bulk-inserts them into the ``xref_key`` table of a
scratch SQLite database. After building the table's indexes it times
``casetrail.xref.index.lookup`` for query entities: half are variants of stored people (a
typo, reordered names, the same birth date), half are new people. The look-up is the SQL that
ranks the entities sharing a key and reads the shared keys of the top 30. Scoring those
candidates with the matcher is timed separately.

    .venv/bin/python bench/xref_lookup.py --entities 1000000 --queries 400 --db var/bench/xref_keys.db
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

from xref_synthetic import Population

from casetrail.xref.index import Side, lookup
from casetrail.xref.keys import entity_keys
from casetrail.xref.matching import score_pair, warm_up
from casetrail.xref.models import MatchKey

# Each stored person sits in a case of its own, 1,000 people per case id.
_PER_CASE = 1_000


Record = tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]


def compact(proxy: EntityProxy) -> Record:
    """Keep a stored person in a few hundred bytes, to score candidates without the database."""
    return str(proxy.id), tuple((prop, tuple(values)) for prop, values in proxy.properties.items())


def expand(record: Record) -> EntityProxy:
    entity_id, properties = record
    return model.get_proxy({"id": entity_id, "schema": "Person", "properties": dict(properties)})


def build(path: Path, count: int, population: Population) -> tuple[dict[str, Record], int, float]:
    """Create the key table and fill it; return the stored people, key rows and seconds taken."""
    if path.exists():
        path.unlink()
    engine = create_engine(f"sqlite:///{path}")
    MatchKey.__table__.create(engine)
    engine.dispose()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    for index in ("ix_xref_key_key", "ix_xref_key_case_entity", "ix_xref_key_watchlist_entity"):
        connection.execute(f"DROP INDEX {index}")

    started = time.perf_counter()
    rows = 0
    stored: dict[str, Record] = {}
    batch: list[tuple[str, str, str, str, str]] = []
    for number, proxy in enumerate(population.people(count)):
        case_id = f"case-{number // _PER_CASE}"
        stored[str(proxy.id)] = compact(proxy)
        batch.extend((key.key, key.prop, case_id, str(proxy.id), "Person") for key in entity_keys(proxy))
        if len(batch) >= 50_000:
            rows += _insert(connection, batch)
            batch = []
        if number and number % 100_000 == 0:
            print(f"  {number} entities, {rows} keys, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    rows += _insert(connection, batch)

    connection.execute("CREATE INDEX ix_xref_key_key ON xref_key (key)")
    connection.execute("CREATE INDEX ix_xref_key_case_entity ON xref_key (case_id, entity_id)")
    connection.execute("CREATE INDEX ix_xref_key_watchlist_entity ON xref_key (watchlist_id, entity_id)")
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()
    return stored, rows, time.perf_counter() - started


def _insert(connection: sqlite3.Connection, batch: list[tuple[str, str, str, str, str]]) -> int:
    connection.executemany(
        "INSERT INTO xref_key (key, prop, case_id, entity_id, schema) VALUES (?, ?, ?, ?, ?)", batch
    )
    return len(batch)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(path: Path, stored: dict[str, Record], queries: int, population: Population) -> None:
    engine = create_engine(f"sqlite:///{path}")
    ids = list(stored)
    step = max(1, len(ids) // (queries // 2))
    targets = ids[::step][: queries // 2]
    probes = [population.variant(expand(stored[target]), number) for number, target in enumerate(targets)]
    fresh = Population(seed=99)
    probes += [fresh.person(len(ids) + number) for number in range(queries - len(probes))]
    warm_up()

    lookup_ms: list[float] = []
    score_ms: list[float] = []
    found = 0
    hits_total = 0
    with Session(engine) as session:
        lookup(session, Side("probe", None, "warm"), entity_keys(probes[0]))
        for index, probe in enumerate(probes):
            keys = entity_keys(probe)
            started = time.perf_counter()
            hits = lookup(session, Side("probe", None, str(probe.id)), keys)
            lookup_ms.append((time.perf_counter() - started) * 1000)
            hits_total += len(hits)
            if index < len(targets):
                found += any(hit.side.entity_id == targets[index] for hit in hits)
            started = time.perf_counter()
            for hit in hits:
                score_pair(probe, expand(stored[hit.side.entity_id]))
            score_ms.append((time.perf_counter() - started) * 1000)
    print(f"entities stored               {len(ids)}")
    print(f"queries                       {len(probes)} ({len(targets)} variants of stored people)")
    print(
        f"look-up p50 / p95 / p99 ms    {percentile(lookup_ms, 0.5):.2f} / "
        f"{percentile(lookup_ms, 0.95):.2f} / {percentile(lookup_ms, 0.99):.2f}"
    )
    print(f"look-up mean ms               {statistics.mean(lookup_ms):.2f}")
    print(f"candidates per look-up        {hits_total / len(probes):.1f}")
    print(f"variants found among them     {found} of {len(targets)}")
    scoring = f"{percentile(score_ms, 0.5):.1f} / {percentile(score_ms, 0.95):.1f}"
    print(f"scoring all candidates p50 / p95 ms {scoring}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--db", type=Path, default=Path("var/bench/xref_keys.db"))
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, sqlite {sqlite3.sqlite_version}")
    stored, rows, seconds = build(args.db, args.entities, Population(seed=7))
    size = args.db.stat().st_size / 2**20
    print(f"built {rows} key rows for {args.entities} entities in {seconds:.0f} s, {size:.0f} MiB")
    measure(args.db, stored, args.queries, Population(seed=11))


if __name__ == "__main__":
    main()

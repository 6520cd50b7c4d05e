# ruff: noqa: T201  (a benchmark prints its figures to standard output)
"""Benchmark: build a link graph of 1,000,000 edges from the database and time 2-hop neighbourhoods.

The script migrates a scratch SQLite database, opens a case through the services, and bulk
inserts a synthetic network into it: ``--people`` Person and ``--companies`` Company entities,
and ``--edges`` relationship entities between them (70 % Associate between two people, 20 %
Ownership and 10 % Directorship from a person to a company, a third of them with a start
date). Endpoints are drawn uniformly at random with a fixed seed, so every run builds the
same graph.

It then times ``build_from_database`` (the streamed SQL query and the builder that the API uses
when its per-process cache has no current graph of the case) and, on the
built graph, ``queries.neighbourhood`` with two hops from ``--starts`` random people, and reports
p50, p95 and the maximum. Peak resident memory is ``VmHWM`` from ``/proc/self/status``.

    .venv/bin/python bench/graph_neighbourhood.py --dir var/bench
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from casetrail.auth import service as auth_service
from casetrail.auth.context import operator_context
from casetrail.cases import service as case_service
from casetrail.core.settings import Settings
from casetrail.db.engine import build_engine, session_factory, transaction
from casetrail.entities.models import CaseEntity, Entity, Statement
from casetrail.graph import queries
from casetrail.graph.loader import build_from_database
from casetrail.migrations.runner import upgrade

SEED = 20_260_301
CASE_NUMBER = "2026-0001"
PASSWORD = "bench-password-0123456789"
BATCH = 20_000
RELATIONSHIPS = (
    ("Associate", "person", "associate", 0.7),
    ("Ownership", "owner", "asset", 0.2),
    ("Directorship", "director", "organization", 0.1),
)


def peak_memory_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _statement(case_id: str, entity_id: str, schema: str, prop: tuple[str, str, str]) -> dict[str, Any]:
    name, prop_type, value = prop
    return {
        "id": f"s-{entity_id}-{name}",
        "entity_id": entity_id,
        "canonical_id": entity_id,
        "case_id": case_id,
        "schema": schema,
        "prop": name,
        "prop_type": prop_type,
        "value": value,
        "source_type": "import",
        "source_id": "bench",
        "recorded_by": "bench",
        "recorded_at": datetime.now(UTC),
    }


def _entities(args: argparse.Namespace) -> Iterator[tuple[str, str, str, list[tuple[str, str, str]]]]:
    """Yield (entity id, schema, caption, [(prop, type, value)]) for every synthetic entity."""
    rng = random.Random(SEED)  # noqa: S311 - a fixed seed makes every run build the same graph
    for number in range(args.people):
        yield f"p{number}", "Person", f"Person {number}", [("name", "name", f"Person {number}")]
    for number in range(args.companies):
        yield f"c{number}", "Company", f"Company {number}", [("name", "name", f"Company {number}")]
    weights = [share for *_, share in RELATIONSHIPS]
    for number in range(args.edges):
        schema, source_prop, target_prop, _ = rng.choices(RELATIONSHIPS, weights)[0]
        source = f"p{rng.randrange(args.people)}"
        if schema == "Associate":
            target = f"p{rng.randrange(args.people)}"
        else:
            target = f"c{rng.randrange(args.companies)}"
        props = [(source_prop, "entity", source), (target_prop, "entity", target)]
        if number % 3 == 0:
            props.append(("startDate", "date", f"{2000 + number % 25}-{number % 12 + 1:02d}"))
        yield f"r{number}", schema, "", props


def populate(session: Session, case_id: str, args: argparse.Namespace) -> int:
    """Bulk insert the synthetic entities and their statements; return the number of statements."""
    now = datetime.now(UTC)
    entities: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    statements: list[dict[str, Any]] = []
    count = 0
    for entity_id, schema, caption, props in _entities(args):
        entities.append({"id": entity_id, "created_at": now})
        members.append(
            {"case_id": case_id, "entity_id": entity_id, "schema": schema, "caption": caption,
             "created_at": now, "updated_at": now, "version": 1}
        )  # fmt: skip
        statements.extend(_statement(case_id, entity_id, schema, prop) for prop in props)
        if len(entities) >= BATCH:
            count += _flush(session, entities, members, statements)
    count += _flush(session, entities, members, statements)
    return count


def _flush(
    session: Session,
    entities: list[dict[str, Any]],
    members: list[dict[str, Any]],
    statements: list[dict[str, Any]],
) -> int:
    if entities:
        session.execute(insert(Entity), entities)
        session.execute(insert(CaseEntity), members)
        session.execute(insert(Statement), statements)
    count = len(statements)
    entities.clear()
    members.clear()
    statements.clear()
    return count


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--dir", type=Path, default=Path("var/bench"), help="Folder for the scratch database."
    )
    parser.add_argument("--people", type=int, default=150_000, help="Number of Person entities.")
    parser.add_argument("--companies", type=int, default=50_000, help="Number of Company entities.")
    parser.add_argument("--edges", type=int, default=1_000_000, help="Number of relationship entities.")
    parser.add_argument("--starts", type=int, default=200, help="Number of random start nodes to time.")
    args = parser.parse_args()

    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / "graph_bench.db"
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    factory = session_factory(build_engine(url))
    with transaction(factory) as session:
        auth_service.create_user(
            session, operator_context(), Settings(), username="bench", password=PASSWORD,
            role="investigator", clearance="secret", unit_name="Bench", display_name="Bench",
        )  # fmt: skip
    with transaction(factory) as session:
        case = case_service.create_case(
            session, operator_context(), title="Graph benchmark", lead_username="bench", number=CASE_NUMBER
        )
        case_id = case.id

    started = time.perf_counter()
    with transaction(factory) as session:
        statement_count = populate(session, case_id, args)
    insert_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with transaction(factory) as session:
        graph, report = build_from_database(session, [case_id])
    build_seconds = time.perf_counter() - started
    memory_after_build = peak_memory_mib()

    rng = random.Random(SEED + 1)  # noqa: S311 - the same start nodes on every run
    starts = [f"p{rng.randrange(args.people)}" for _ in range(args.starts)]
    timings: list[float] = []
    sizes: list[int] = []
    for start in starts:
        began = time.perf_counter()
        found = queries.neighbourhood(graph, [start], hops=2, max_nodes=10_000)
        timings.append((time.perf_counter() - began) * 1000)
        sizes.append(len(found.nodes))

    print(f"machine: {platform.machine()}, Python {sys.version.split()[0]}, {platform.platform()}")
    print(f"inserted {statement_count} statements of {args.people + args.companies + args.edges} entities "
          f"in {insert_seconds:.1f} s")  # fmt: skip
    print(f"graph: {report.nodes} nodes, {report.edges} edges, {report.dropped_edges} dropped")
    print(f"build from database: {build_seconds:.2f} s; peak RSS after build {memory_after_build:.0f} MiB")
    print(
        f"2-hop neighbourhood over {len(starts)} starts: p50 {percentile(timings, 0.5):.2f} ms, "
        f"p95 {percentile(timings, 0.95):.2f} ms, max {max(timings):.2f} ms; "
        f"nodes returned: mean {statistics.mean(sizes):.0f}, max {max(sizes)}"
    )


if __name__ == "__main__":
    main()

# ruff: noqa: T201  (a benchmark prints its figures to standard output)
"""Benchmark: time and peak memory of `xref batch` (Splink linkage) over N people in the store.

The script migrates a scratch SQLite database, opens one case and bulk inserts N synthetic
people with their statements, as the graph benchmark does. The FtM import checks and versions
every entity: it took 141 s for 20,000 people and did not finish 100,000 in 34 minutes.
A tenth of the people are variants of other people (a typo, reordered names, the same birth
date). It then runs ``casetrail.xref.batch.run_batch`` for the schema Person, the function
behind `casetrail xref batch`. It reads the statements, trains Splink on DuckDB, predicts pairs
and writes them as candidates. Peak memory is the process's ``VmHWM``, reset through
``/proc/self/clear_refs`` just before the batch, so the insert does not count.

    nice .venv/bin/python bench/xref_batch.py --records 1000000 --dir var/bench \
        --memory-limit 6GB --threads 2
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from followthemoney.proxy import EntityProxy
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

from xref_synthetic import Population

from casetrail.auth import service as auth_service
from casetrail.auth.context import operator_context
from casetrail.cases import service as case_service
from casetrail.core.settings import Settings
from casetrail.db.engine import build_engine, session_factory, transaction
from casetrail.entities.models import CaseEntity, Entity, Statement
from casetrail.migrations.runner import upgrade
from casetrail.xref.batch import BatchLimits, run_batch
from casetrail.xref.models import Candidate


def memory_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    # Writing 5 resets VmHWM to the current resident size (Linux 4.0 and later).
    Path("/proc/self/clear_refs").write_text("5")


BATCH = 20_000


def synthetic_people(count: int) -> Iterator[EntityProxy]:
    """Yield ``count`` people; after every ninth original comes a variant of it."""
    population = Population(seed=3)
    produced = 0
    for number, proxy in enumerate(population.people(count - count // 10)):
        if produced >= count:
            return
        yield proxy
        produced += 1
        if number % 9 == 0 and produced < count:
            yield population.variant(proxy, number)
            produced += 1


def populate(session: Session, case_id: str, people: Iterator[EntityProxy]) -> tuple[int, int]:
    """Bulk insert the people and their statements; return (people, planted variants)."""
    now = datetime.now(UTC)
    entities: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    statements: list[dict[str, Any]] = []
    count = planted = 0
    for proxy in people:
        assert proxy.id is not None
        count += 1
        planted += proxy.id.startswith("var-")
        entities.append({"id": proxy.id, "created_at": now})
        members.append(
            {"case_id": case_id, "entity_id": proxy.id, "schema": "Person", "caption": proxy.caption,
             "created_at": now, "updated_at": now, "version": 1}
        )  # fmt: skip
        for index, (prop, value) in enumerate(proxy.itervalues()):
            statements.append(
                {"id": f"s-{proxy.id}-{index}", "entity_id": proxy.id, "canonical_id": proxy.id,
                 "case_id": case_id, "schema": "Person", "prop": prop.name, "prop_type": prop.type.name,
                 "value": value, "source_type": "import", "source_id": "bench", "recorded_by": "bench",
                 "recorded_at": now}
            )  # fmt: skip
        if len(entities) >= BATCH:
            _flush(session, entities, members, statements)
    _flush(session, entities, members, statements)
    return count, planted


def _flush(
    session: Session,
    entities: list[dict[str, Any]],
    members: list[dict[str, Any]],
    statements: list[dict[str, Any]],
) -> None:
    if entities:
        session.execute(insert(Entity), entities)
        session.execute(insert(CaseEntity), members)
        session.execute(insert(Statement), statements)
    entities.clear()
    members.clear()
    statements.clear()


def is_planted(left: str, right: str) -> bool:
    """Return True for a person and the variant made of it: ``syn-N`` with ``var-N``."""
    first, second = sorted((left.split("-", 1), right.split("-", 1)))
    return first[0] == "syn" and second[0] == "var" and first[1] == second[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="Number of people to link.")
    parser.add_argument("--dir", type=Path, default=Path("var/bench"), help="Folder for scratch files.")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 6GB.")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB worker threads.")
    args = parser.parse_args()
    folder = args.dir / "xref_batch"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    url = f"sqlite:///{folder / 'casetrail.db'}"
    upgrade(url)
    engine = build_engine(url)
    factory = session_factory(engine)
    ctx = operator_context()
    with transaction(factory) as session:
        auth_service.create_user(
            session,
            ctx,
            Settings(),
            username="lead",
            password="bench account, never logs in",  # noqa: S106
            role="investigator",
            clearance="secret",
            unit_name="Bench",
        )
        case_id = case_service.create_case(session, ctx, title="Batch bench", lead_username="lead").id
    started = time.perf_counter()
    with transaction(factory) as session:
        inserted, planted = populate(session, case_id, synthetic_people(args.records))
    seconds = time.perf_counter() - started
    print(f"python {platform.python_version()}; inserted {inserted} people in {seconds:.0f} s", flush=True)

    limits = BatchLimits(
        memory_limit=args.memory_limit, threads=args.threads, temp_directory=folder / "duckdb"
    )
    before = memory_mib("VmRSS")
    reset_peak()
    with transaction(factory) as session:
        report = run_batch(session, ctx, schema="Person", limits=limits)
    peak = memory_mib("VmHWM")
    with transaction(factory) as session:
        pairs = session.execute(select(Candidate.left_entity_id, Candidate.right_entity_id)).all()
    found = sum(1 for left, right in pairs if is_planted(left, right))
    print(f"planted variant pairs {planted}, found {found}")
    print(f"records linked        {report.records}")
    print(f"pairs written         {report.pairs}")
    print(f"seconds (run_batch)   {report.seconds:.1f}")
    for phase, phase_seconds in report.phases.items():
        print(f"  {phase:<20} {phase_seconds:.1f} s")
    print(f"RSS before / peak MiB {before:.0f} / {peak:.0f}")
    engine.dispose()


if __name__ == "__main__":
    main()

# ruff: noqa: T201  (a benchmark prints its figures to standard output)
"""Benchmark: time and peak memory of `xref batch` (Splink linkage) over N people in the store.

The script migrates a scratch SQLite database, opens one case and imports N synthetic people as
an FtM file. A tenth of them are variants of other people (a typo, reordered names, the same
birth date). It then runs ``casetrail.xref.batch.run_batch`` for the schema Person, the
function behind `casetrail xref batch`. It reads the statements, trains Splink on DuckDB,
predicts pairs and writes them as candidates. Peak memory is the process's ``VmHWM``, reset
through ``/proc/self/clear_refs`` just before the batch, so the import does not count.

    .venv/bin/python bench/xref_batch.py --records 20000 --dir var/bench
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import shutil
import sys
import time
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from xref_synthetic import Population

from casetrail.auth import service as auth_service
from casetrail.auth.context import operator_context
from casetrail.cases import service as case_service
from casetrail.core.settings import Settings
from casetrail.db.engine import build_engine, session_factory, transaction
from casetrail.exchange.ftm_import import import_ftm
from casetrail.migrations.runner import upgrade
from casetrail.xref.batch import run_batch
from casetrail.xref.models import Candidate


def memory_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    # Writing 5 resets VmHWM to the current resident size (Linux 4.0 and later).
    Path("/proc/self/clear_refs").write_text("5")


def ftm_file(count: int) -> bytes:
    population = Population(seed=3)
    lines = []
    people = list(population.people(count - count // 10))
    for number, proxy in enumerate(people):
        lines.append(json.dumps(proxy.to_dict()))
        if number % 9 == 0 and len(lines) < count:
            lines.append(json.dumps(population.variant(proxy, number).to_dict()))
    return ("\n".join(lines[:count]) + "\n").encode()


def is_planted(left: str, right: str) -> bool:
    """Return True for a person and the variant made of it: ``syn-N`` with ``var-N``."""
    first, second = sorted((left.split("-", 1), right.split("-", 1)))
    return first[0] == "syn" and second[0] == "var" and first[1] == second[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, default=Path("var/bench"))
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
        number = case_service.create_case(session, ctx, title="Batch bench", lead_username="lead").number
    data = ftm_file(args.records)
    started = time.perf_counter()
    with transaction(factory) as session:
        imported = import_ftm(session, ctx, number, io.BytesIO(data), file_name="people.ftm.json")
    seconds = time.perf_counter() - started
    print(f"python {platform.python_version()}; imported {imported.entities} people in {seconds:.0f} s")

    before = memory_mib("VmRSS")
    reset_peak()
    with transaction(factory) as session:
        report = run_batch(session, ctx, schema="Person")
    peak = memory_mib("VmHWM")
    with transaction(factory) as session:
        pairs = session.execute(select(Candidate.left_entity_id, Candidate.right_entity_id)).all()
    planted = data.count(b'"var-')
    found = sum(1 for left, right in pairs if is_planted(left, right))
    print(f"planted variant pairs {planted}, found {found}")
    print(f"records linked        {report.records}")
    print(f"pairs written         {report.pairs}")
    print(f"seconds (run_batch)   {report.seconds:.1f}")
    print(f"RSS before / peak MiB {before:.0f} / {peak:.0f}")
    engine.dispose()


if __name__ == "__main__":
    main()

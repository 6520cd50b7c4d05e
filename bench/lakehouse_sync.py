# ruff: noqa: T201, S106, PLR0915  (prints its figures; a throwaway account; one linear script)
"""Benchmark: sync throughput from the store to Iceberg, and end-to-end lag in follow mode.

Throughput: a generated FollowTheMoney file (people with a name, a birth date and a
nationality; per ten people a company and an Ownership edge) is imported into one case in one
transaction, which writes one outbox event per entity. Then ``sync_until_caught_up`` applies
every event; the figure is rows written to Iceberg per second, over all tables, and events per
second. Batch size is the setting's default (500 events) unless ``--batch-size`` sets another.

Lag: a follower runs ``sync.follow`` with ``--interval`` seconds in a thread while notes are
added one at a time; for each note the lag is the time from its commit until the follower's
cursor passes its outbox event (so the note is in the Iceberg table).

    .venv/bin/python bench/lakehouse_sync.py --entities 20000 --dir var/bench-sync
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import shutil
import statistics
import threading
import time
from pathlib import Path

from sqlalchemy import select

from casetrail.auth import service as auth_service
from casetrail.auth.context import operator_context
from casetrail.cases import notes as note_service
from casetrail.cases import service as case_service
from casetrail.core.settings import LakehouseSettings, Settings
from casetrail.db.engine import build_engine, session_factory, transaction
from casetrail.db.outbox import OutboxEvent, get_cursor
from casetrail.exchange.ftm_import import import_ftm
from casetrail.lakehouse.runtime import open_lakehouse
from casetrail.lakehouse.sync import OUTBOX_CONSUMER, follow, sync_until_caught_up
from casetrail.migrations.runner import upgrade


def ftm_lines(entities: int) -> bytes:
    lines = []
    for index in range(entities):
        lines.append(
            {
                "id": f"person-{index}",
                "schema": "Person",
                "properties": {
                    "name": [f"Person {index}"],
                    "birthDate": [f"19{50 + index % 50}-01-{1 + index % 28:02d}"],
                    "nationality": ["de"],
                },
            }
        )
        if index % 10 == 9:
            lines.append(
                {"id": f"company-{index}", "schema": "Company", "properties": {"name": [f"Firm {index}"]}}
            )
            lines.append(
                {
                    "id": f"ownership-{index}",
                    "schema": "Ownership",
                    "properties": {"owner": [f"person-{index}"], "asset": [f"company-{index}"]},
                }
            )
    return b"\n".join(json.dumps(line).encode() for line in lines) + b"\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--database-url", default=None, help="Default: SQLite in --dir.")
    parser.add_argument("--dir", type=Path, default=Path("var/bench-sync"))
    args = parser.parse_args()

    shutil.rmtree(args.dir, ignore_errors=True)
    args.dir.mkdir(parents=True)
    url = args.database_url or f"sqlite:///{(args.dir / 'casetrail.db').resolve()}"
    upgrade(url)
    engine = build_engine(url)
    factory = session_factory(engine)
    settings = Settings(
        data_dir=args.dir, database_url=url, lakehouse=LakehouseSettings(batch_size=args.batch_size)
    )
    with transaction(factory) as session:
        auth_service.create_user(
            session,
            operator_context(),
            settings,
            username="bench",
            password="bench password 1234",
            role="investigator",
            clearance="secret",
            unit_name="Bench",
            display_name="Bench",
        )
    with transaction(factory) as session:
        case = case_service.create_case(
            session, operator_context(), title="Benchmark", lead_username="bench", number="2026-9999"
        )

    started = time.perf_counter()
    with transaction(factory) as session:
        report = import_ftm(
            session,
            operator_context(),
            case.number,
            io.BytesIO(ftm_lines(args.entities)),
            file_name="bench.ftm.json",
        )
    import_seconds = time.perf_counter() - started
    print(f"python {platform.python_version()}, {engine.dialect.name} store, batch size {args.batch_size}")
    print(f"import: {report.entities:,} entities, {report.statements:,} statements in {import_seconds:.1f} s")

    with open_lakehouse(settings, engine) as lake:
        started = time.perf_counter()
        synced = sync_until_caught_up(lake)
        seconds = time.perf_counter() - started
        rows = sum(synced.rows.values())
        print(
            f"sync: {synced.events:,} events, {synced.audit_records:,} audit records, {rows:,} rows "
            f"in {seconds:.1f} s: {rows / seconds:,.0f} rows/s, {synced.events / seconds:,.0f} events/s, "
            f"{synced.batches} batches"
        )
        print(f"rows per table: {dict(sorted(synced.rows.items()))}")

        stop = threading.Event()
        follower = threading.Thread(
            target=follow, args=(lake,), kwargs={"interval_seconds": args.interval, "stop": stop}
        )
        follower.start()
        lags = []
        try:
            for index in range(args.notes):
                with transaction(factory) as session:
                    note = note_service.add_note(session, operator_context(), case.number, f"note {index}")
                committed = time.perf_counter()
                with transaction(factory) as session:
                    seq = session.execute(
                        select(OutboxEvent.seq).where(OutboxEvent.object_id == note.id)
                    ).scalar_one()
                while True:
                    with transaction(factory) as session:
                        if get_cursor(session, OUTBOX_CONSUMER) >= seq:
                            break
                    time.sleep(0.02)
                lags.append(time.perf_counter() - committed)
        finally:
            stop.set()
            follower.join()
    lags.sort()
    print(
        f"lag over {len(lags)} notes with --interval {args.interval}: "
        f"median {statistics.median(lags):.2f} s, "
        f"p95 {lags[int(len(lags) * 0.95) - 1]:.2f} s, max {lags[-1]:.2f} s"
    )
    engine.dispose()


if __name__ == "__main__":
    main()

"""`casetrail xref ...` and `casetrail watchlist ...`: cross-referencing, deconfliction, watch-lists.

`xref follow`, `xref batch` and `watchlist load` act as the local operator. The commands that
read or decide candidates and notices act as the user whose API token is in ``CASETRAIL_TOKEN``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import SQLAlchemyError

from casetrail.cli.errors import EXIT_USER_ERROR, describe
from casetrail.cli.output import OutputFormat, OutputOption, hint, print_fields, print_result, print_table
from casetrail.cli.runtime import current_runtime, operator_transaction, user_transaction
from casetrail.core.errors import ImportFailed
from casetrail.core.logging import get_logger
from casetrail.xref import notices as notice_service
from casetrail.xref import service as xref_service
from casetrail.xref.notices import NoticeView
from casetrail.xref.service import CandidateView
from casetrail.xref.watchlists import list_watchlists, load_watchlist_file

# Batch linkage (Splink, DuckDB) and matching (nomenklatura, scikit-learn) are imported inside
# the commands that use them: every `casetrail` command, `serve` included, loads this module.
log = get_logger(__name__)

DEFAULT_THRESHOLD = 0.5
"""The default of ``casetrail.xref.batch.DEFAULT_THRESHOLD``, repeated to keep Splink unloaded."""

xref_app = typer.Typer(help="Cross-reference entities across cases and watch-lists; deconfliction notices.")
watchlist_app = typer.Typer(help="Load and list watch-lists (FtM entity files kept outside every case).")


@xref_app.command("follow")
def follow(
    *,
    once: Annotated[bool, typer.Option("--once", help="Apply the pending changes, then exit.")] = False,
    interval: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait between polls when nothing is pending.")
    ] = 2.0,
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="Outbox events applied per transaction.")
    ] = 500,
    algorithm: Annotated[
        str,
        typer.Option(
            help="nomenklatura matcher: logic-v2 (strict, strong across scripts) or regression-v1 "
            "(more forgiving of typos in personal records); docs/benchmarks.md compares them."
        ),
    ] = "logic-v2",
) -> None:
    """Match every new or changed entity against other cases and watch-lists (cursor `xref`)."""
    from casetrail.xref.follower import follow_until_caught_up  # noqa: PLC0415
    from casetrail.xref.matching import algorithm_for, warm_up  # noqa: PLC0415

    algorithm_for(algorithm)
    runtime = current_runtime()
    warm_up(algorithm)
    while True:
        try:
            run = follow_until_caught_up(runtime.factory, limit, algorithm=algorithm)
        except SQLAlchemyError as error:
            if once:
                raise
            # The failed batch rolled back with the cursor, so the next poll repeats it.
            log.error("xref_follow_batch_failed", error_type=type(error).__name__)
            time.sleep(interval)
            continue
        if run.events:
            hint(
                f"applied {run.events} events: {run.entities} entities, "
                f"{run.candidates} candidates, {run.notices} notices"
            )
        if once:
            return
        time.sleep(interval)


@xref_app.command("batch")
def batch(
    *,
    schema: Annotated[str, typer.Option(help="FtM schema to link across all cases, e.g. Person.")] = "Person",
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Lowest Splink match probability stored as a candidate.")
    ] = DEFAULT_THRESHOLD,
    memory_limit: Annotated[
        str | None,
        typer.Option(help="DuckDB memory limit, e.g. 4GB; beyond it DuckDB spills to --temp-dir."),
    ] = None,
    threads: Annotated[
        int | None, typer.Option(min=1, help="DuckDB worker threads (default: one per core).")
    ] = None,
    temp_dir: Annotated[
        Path | None,
        typer.Option(help="Folder for the record file and DuckDB's spill files (default: the system's)."),
    ] = None,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Deduplicate and link every entity of a schema across the store with Splink."""
    from casetrail.xref.batch import BatchLimits, run_batch  # noqa: PLC0415

    runtime = current_runtime()
    limits = BatchLimits(memory_limit=memory_limit, threads=threads, temp_directory=temp_dir)
    with operator_transaction(runtime) as (session, ctx):
        report = run_batch(session, ctx, schema=schema, threshold=threshold, limits=limits)
    data = {
        "schema": report.schema,
        "records": report.records,
        "pairs": report.pairs,
        "candidates": report.candidates,
        "seconds": round(report.seconds, 2),
    }
    print_result(output, data, lambda: print_fields(list(data.items())))


@xref_app.command("candidates")
def candidates(
    *,
    case: Annotated[str, typer.Option("--case", help="Case number, e.g. 2026-0142.")],
    status: Annotated[
        str | None, typer.Option(help="Only candidates with this status (open, confirmed, rejected).")
    ] = None,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """List candidate matches of a case's entities whose other side you may also see."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        items = [
            _candidate_data(view)
            for view in xref_service.list_case_candidates(session, ctx, case, status=status)
        ]
    columns = ("id", "score", "status", "left", "right")
    print_result(
        output, items, lambda: print_table(columns, [[item[name] for name in columns] for item in items])
    )


@xref_app.command("candidate")
def candidate(
    *,
    candidate_id: Annotated[str, typer.Argument(metavar="CANDIDATE", help="Candidate id.")],
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Show one candidate match, its features and its decisions."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        data = _candidate_data(xref_service.get_candidate(session, ctx, candidate_id))
    print_result(output, data, lambda: print_fields(list(data.items())))


def _candidate_data(view: CandidateView) -> dict[str, Any]:
    def side(entity_id: str, caption: str, case_number: str | None, watchlist: str | None) -> str:
        holder = f"case {case_number}" if case_number else f"watch-list {watchlist}"
        return f"{caption} ({entity_id}, {holder})"

    return {
        "id": view.candidate.id,
        "score": view.candidate.score,
        "status": view.candidate.status,
        "algorithm": view.candidate.algorithm,
        "left": side(view.left.entity_id, view.left.caption, view.left.case_number, view.left.watchlist),
        "right": side(view.right.entity_id, view.right.caption, view.right.case_number, view.right.watchlist),
        "features": view.candidate.features,
        "decisions": [
            {
                "id": item.id,
                "verdict": item.verdict,
                "decided_by": item.decided_by,
                "retracted": item.retracted_at is not None,
            }
            for item in view.decisions
        ],
    }


@xref_app.command("decide")
def decide(
    *,
    candidate_id: Annotated[str, typer.Argument(metavar="CANDIDATE", help="Candidate id.")],
    verdict: Annotated[str, typer.Option(help="confirmed (the same) or rejected (not the same).")],
    reason: Annotated[str, typer.Option(help="Why, for the record.")],
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Confirm or reject a candidate match."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        decision = xref_service.decide(session, ctx, candidate_id, verdict=verdict, reason=reason)
        data = {"id": decision.id, "candidate_id": decision.candidate_id, "verdict": decision.verdict}
    print_result(output, data, lambda: print_fields(list(data.items())))


@xref_app.command("retract")
def retract(
    *,
    decision_id: Annotated[str, typer.Argument(metavar="DECISION", help="Decision id.")],
    reason: Annotated[str, typer.Option(help="Why the decision is withdrawn.")],
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Withdraw a decision; the candidate is open again and its "same as" link ends."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        decision = xref_service.retract_decision(session, ctx, decision_id, reason=reason)
        data = {
            "id": decision.id,
            "candidate_id": decision.candidate_id,
            "retracted_by": decision.retracted_by,
        }
    print_result(output, data, lambda: print_fields(list(data.items())))


@xref_app.command("notices")
def notices(
    *,
    status: Annotated[
        str | None, typer.Option(help="Only notices with this status (open, acknowledged, closed).")
    ] = None,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """List the deconfliction notices addressed to you."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        items = [notice_data(view) for view in notice_service.list_my_notices(session, ctx, status=status)]
    print_result(output, items, lambda: _print_notices(items))


@xref_app.command("acknowledge")
def acknowledge(
    *,
    notice_id: Annotated[str, typer.Argument(metavar="NOTICE", help="Notice id.")],
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Record that you read a notice and will contact the other lead."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        data = notice_data(notice_service.acknowledge_notice(session, ctx, notice_id))
    print_result(output, data, lambda: _print_notices([data]))


@xref_app.command("close")
def close(
    *,
    notice_id: Annotated[str, typer.Argument(metavar="NOTICE", help="Notice id.")],
    note: Annotated[str, typer.Option(help="How the overlap was settled.")],
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Close a notice with a note."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        data = notice_data(notice_service.close_notice(session, ctx, notice_id, note=note))
    print_result(output, data, lambda: _print_notices([data]))


@xref_app.command("board")
def board(output: OutputOption = OutputFormat.TEXT) -> None:
    """List the open overlaps of the cases in your unit tree (supervisors)."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        rows = [
            {**notice_data(row.notice), "case_title": row.case_title, "lead": row.lead_name}
            for row in notice_service.deconfliction_board(session, ctx)
        ]
    columns = ("case_number", "lead", "overlap", "other_lead_name", "other_unit_name", "status")
    print_result(
        output, rows, lambda: print_table(columns, [[row[name] for name in columns] for row in rows])
    )


def notice_data(view: NoticeView) -> dict[str, Any]:
    return {
        "id": view.id,
        "case_number": view.case_number,
        "entity_id": view.entity_id,
        "overlap": view.overlap,
        "own_value": view.own_value,
        "other_lead_name": view.other_lead_name,
        "other_unit_name": view.other_unit_name,
        "status": view.status,
        "message": view.message,
        "created_at": view.created_at,
    }


def _print_notices(items: list[dict[str, Any]]) -> None:
    for item in items:
        typer.echo(f"{item['id']}  [{item['status']}]  case {item['case_number']}")
        typer.echo(f"  {item['message']}")


@watchlist_app.command("load")
def load(
    *,
    name: Annotated[str, typer.Argument(help="Watch-list name, e.g. opensanctions; a new load replaces it.")],
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="FtM entity JSON, one entity per line."
        ),
    ],
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Load a watch-list. A broken or empty file is rejected and the previous version stays."""
    runtime = current_runtime()
    try:
        with operator_transaction(runtime) as (session, ctx):
            report = load_watchlist_file(session, ctx, name, file)
    except ImportFailed as error:
        typer.echo(describe(error), err=True)
        hint(f"Watch-list {name} was not changed. Correct the file and load it again.")
        raise typer.Exit(EXIT_USER_ERROR) from None
    data = {
        "name": report.name,
        "version": report.version,
        "file_name": report.file_name,
        "sha256": report.sha256,
        "entities": report.entities,
        "skipped_values": report.skipped_values,
        "schemata": report.schemata,
    }
    print_result(
        output, data, lambda: print_fields([(key, value) for key, value in data.items() if key != "schemata"])
    )


@watchlist_app.command("list")
def list_lists(output: OutputOption = OutputFormat.TEXT) -> None:
    """List the loaded watch-lists."""
    runtime = current_runtime()
    with operator_transaction(runtime) as (session, ctx):
        items = [
            {
                "name": item.name,
                "version": item.version,
                "entities": item.entity_count,
                "loaded_at": item.loaded_at,
            }
            for item in list_watchlists(session, ctx)
        ]
    columns = ("name", "version", "entities", "loaded_at")
    print_result(
        output, items, lambda: print_table(columns, [[item[name] for name in columns] for item in items])
    )

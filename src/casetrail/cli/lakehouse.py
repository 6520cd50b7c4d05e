"""`casetrail lakehouse ...`, `casetrail sql` and `casetrail purge`.

Lakehouse administration (sync, rebuild, status, maintain, trino-config) acts as the local
operator. `sql` acts as the user of CASETRAIL_TOKEN and reads only the rows of that user's cases. `purge`
acts as the local operator, or with --as-token-user as the user of CASETRAIL_TOKEN, who must
supervise the case.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record, record_denial
from casetrail.auth.context import RequestContext, operator_context
from casetrail.cli.output import OutputFormat, OutputOption, hint, print_fields, print_result, print_table
from casetrail.cli.runtime import Runtime, current_runtime, operator_transaction, user_transaction
from casetrail.core.errors import Hidden, PermissionDenied, ValidationFailed
from casetrail.core.ids import new_id
from casetrail.db.engine import engine_for
from casetrail.lakehouse import maintenance, rebuild, sync
from casetrail.lakehouse.formats import ResultFormat
from casetrail.lakehouse.purge import PurgeRequest, purge
from casetrail.lakehouse.query import QueryRequest, run_query, trino_sql
from casetrail.lakehouse.runtime import Lakehouse, open_lakehouse
from casetrail.lakehouse.trino import catalog_properties, render_properties

lakehouse_app = typer.Typer(help="Keep the Iceberg lakehouse in step with the store and look after it.")


@contextmanager
def _lakehouse(runtime: Runtime) -> Iterator[Lakehouse]:
    with open_lakehouse(runtime.settings, engine_for(runtime.settings.resolved_database_url)) as lake:
        yield lake


def _audit_operator(runtime: Runtime, action: AuditAction, detail: dict[str, Any]) -> None:
    with operator_transaction(runtime) as (session, ctx):
        record(session, ctx.audit_source, action, object_type="lakehouse", detail=detail)


@lakehouse_app.command("sync")
def sync_command(
    *,
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep running and apply new changes as they come.")
    ] = False,
    interval: Annotated[
        float | None,
        typer.Option(
            "--interval", min=0.1, help="Seconds to wait between checks with --follow (default: the setting)."
        ),
    ] = None,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Apply outbox events and new audit records to the Iceberg tables."""
    runtime = current_runtime()
    with _lakehouse(runtime) as lake:
        if follow:
            stop = threading.Event()
            _stop_on_signals(stop)
            seconds = interval or runtime.settings.lakehouse.follow_interval_seconds
            report = sync.follow(lake, interval_seconds=seconds, stop=stop)
        else:
            report = sync.sync_until_caught_up(lake)
    data = asdict(report)
    print_result(
        output,
        data,
        lambda: typer.echo(
            f"applied {report.events} outbox events and {report.audit_records} audit records "
            f"in {report.batches} batches"
        ),
    )


def _stop_on_signals(stop: threading.Event) -> None:
    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


@lakehouse_app.command("rebuild")
def rebuild_command(
    *,
    recreate: Annotated[
        bool,
        typer.Option(
            "--recreate",
            help="Drop the tables with files and history, then create them anew (e.g. new partitioning).",
        ),
    ] = False,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Refill every table from the store; keeps table history unless --recreate."""
    runtime = current_runtime()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with _lakehouse(runtime) as lake, progress:
        tasks: dict[str, Any] = {}

        def advance(table: str, rows: int) -> None:
            if table not in tasks:
                tasks[table] = progress.add_task(table, total=None)
            progress.update(tasks[table], completed=rows)

        report = rebuild.rebuild(lake, recreate=recreate, progress=advance)
    _audit_operator(runtime, AuditAction.LAKEHOUSE_REBUILD, {"recreate": recreate, "rows": report.rows})
    print_result(
        output,
        asdict(report),
        lambda: print_table(("table", "rows"), sorted(report.rows.items())),
    )


@lakehouse_app.command("status")
def status_command(*, output: OutputOption = OutputFormat.TEXT) -> None:
    """Show how far the lakehouse is behind the store and the last commit of each table."""
    runtime = current_runtime()
    with _lakehouse(runtime) as lake:
        state = rebuild.status(lake)
    lags: list[dict[str, Any]] = [
        {
            "stream": lag.consumer,
            "cursor": lag.cursor,
            "head": lag.head,
            "behind": lag.behind,
            "oldest_pending_age_seconds": lag.oldest_pending_age_seconds,
        }
        for lag in (state.outbox, state.audit)
    ]
    tables = [asdict(table) for table in state.tables]
    data = {"lag": lags, "tables": tables}

    def as_text() -> None:
        print_table(
            ("stream", "behind", "oldest_pending_age_seconds"),
            [[lag["stream"], lag["behind"], _seconds(lag["oldest_pending_age_seconds"])] for lag in lags],
        )
        typer.echo("")
        columns = ("name", "snapshot_id", "committed_at", "applied_seq", "records", "snapshots")
        print_table(columns, [[table[name] for name in columns] for table in tables])

    print_result(output, data, as_text)


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


@lakehouse_app.command("maintain")
def maintain_command(*, output: OutputOption = OutputFormat.TEXT) -> None:
    """Expire snapshots past the retention setting and remove orphan files past the grace period."""
    runtime = current_runtime()
    with _lakehouse(runtime) as lake:
        report = maintenance.maintain(lake)
    detail = {"expired_snapshots": report.expired_snapshots, "deleted_files": report.deleted_files}
    _audit_operator(runtime, AuditAction.LAKEHOUSE_MAINTAIN, detail)
    print_result(
        output,
        detail,
        lambda: typer.echo(
            f"expired {sum(len(ids) for ids in report.expired_snapshots.values())} snapshots, "
            f"removed {sum(report.deleted_files.values())} orphan files"
        ),
    )


@lakehouse_app.command("snapshots")
def snapshots_command(
    *,
    table: Annotated[str, typer.Argument(help="Table name, e.g. statements.")],
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """List a table's snapshots, oldest first, for `casetrail sql --snapshot`."""
    runtime = current_runtime()
    with _lakehouse(runtime) as lake:
        items = rebuild.snapshots(lake, table)
    columns = ("snapshot_id", "committed_at", "operation", "applied_seq", "records")
    print_result(
        output, items, lambda: print_table(columns, [[item[name] for name in columns] for item in items])
    )


@lakehouse_app.command("trino-config")
def trino_config_command(
    *,
    output_file: Annotated[
        Path | None,
        typer.Option(
            "--output-file",
            help="Write the properties here (mode 0600), e.g. etc/catalog/casetrail.properties.",
        ),
    ] = None,
) -> None:
    """Write a Trino Iceberg catalog properties file for the lakehouse's catalog and warehouse."""
    runtime = current_runtime()
    from casetrail.lakehouse.config import config_for  # noqa: PLC0415 (only this command needs it)

    text = render_properties(catalog_properties(config_for(runtime.settings)))
    if output_file is None:
        typer.echo(text, nl=False)
        return
    output_file.parent.mkdir(parents=True, exist_ok=True)
    output_file.write_text(text)
    output_file.chmod(0o600)
    hint(f"wrote {output_file}")


def sql_command(
    *,
    query: Annotated[str, typer.Argument(help="One SELECT statement over the lakehouse tables.")],
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="Why you run the query; kept in the audit trail.")
    ] = None,
    result_format: Annotated[
        ResultFormat, typer.Option("--format", help="Result format; parquet needs --out.")
    ] = ResultFormat.TABLE,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S%z"],
            help="Read the tables as they were at this moment, e.g. 2026-03-01T12:00:00+00:00.",
        ),
    ] = None,
    snapshot: Annotated[
        int | None,
        typer.Option("--snapshot", help="Read a table at this snapshot id (see `lakehouse snapshots`)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the result to this file instead of standard output.")
    ] = None,
    dialect: Annotated[
        str,
        typer.Option(
            "--dialect", help="'duckdb' runs the query; 'trino' prints it in Trino SQL with your case filter."
        ),
    ] = "duckdb",
) -> None:
    """Run read-only SQL over the lakehouse tables you may see (acts as the user of CASETRAIL_TOKEN)."""
    if dialect not in ("duckdb", "trino"):
        raise ValidationFailed(f"unknown dialect {dialect!r}: choose duckdb or trino", {"dialect": "unknown"})
    if result_format == ResultFormat.PARQUET and out is None:
        raise ValidationFailed("parquet output needs a file: add --out PATH", {"out": "missing"})
    runtime = current_runtime()
    request = QueryRequest(sql=query, purpose=purpose, as_of=as_of, snapshot_id=snapshot)
    with user_transaction(runtime) as (session, ctx):
        if dialect == "trino":
            typer.echo(trino_sql(session, ctx, runtime.settings, request))
            return
        result = run_query(session, ctx, runtime.settings, request)
    if result_format == ResultFormat.TABLE:
        if out is not None:
            raise ValidationFailed("--out takes csv, json or parquet results", {"format": "table"})
        print_table(result.columns, result.rows())
    else:
        payload = result.encode(result_format)
        if out is not None:
            out.write_bytes(payload)
            hint(f"wrote {result.row_count} rows to {out}")
        else:
            sys.stdout.buffer.write(payload)
            sys.stdout.buffer.flush()
    if result.truncated:
        hint(
            f"the result was cut at {result.row_count} rows "
            "(CASETRAIL_LAKEHOUSE__MAX_RESULT_ROWS); narrow the query or aggregate"
        )


def _purging_context(runtime: Runtime, *, as_token_user: bool) -> RequestContext:
    # The purge runs its own transactions, so the token is resolved in one that ends first.
    if not as_token_user:
        return operator_context(request_id=new_id())
    with user_transaction(runtime) as (_session, ctx):
        return ctx


def purge_command(
    *,
    case: Annotated[str, typer.Option("--case", help="Number of the case that holds the records.")],
    entity: Annotated[
        list[str] | None, typer.Option("--entity", help="Entity id to purge; repeat for more.")
    ] = None,
    note: Annotated[
        list[str] | None, typer.Option("--note", help="Note id to purge; repeat for more.")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why, e.g. the court order's reference.")],
    as_token_user: Annotated[
        bool,
        typer.Option(
            "--as-token-user", help="Act as the user of CASETRAIL_TOKEN (a supervisor of the case)."
        ),
    ] = False,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Remove records from the store and every lakehouse snapshot; the audit trail keeps a certificate."""
    runtime = current_runtime()
    request = PurgeRequest(
        case_number=case, entity_ids=list(entity or []), note_ids=list(note or []), reason=reason
    )
    ctx = _purging_context(runtime, as_token_user=as_token_user)
    with _lakehouse(runtime) as lake:
        try:
            certificate = purge(lake, ctx, request)
        except (Hidden, PermissionDenied) as error:
            record_denial(
                runtime.factory,
                ctx.audit_source,
                attempted=error.attempted,
                object_type=error.object_type,
                object_id=error.object_id,
                reason=error.code,
            )
            raise
    data = certificate.as_detail()
    print_result(
        output,
        data,
        lambda: print_fields(
            [
                ("purge", certificate.purge_id),
                ("case", certificate.case_number),
                ("statements removed", len(certificate.removed.statements)),
                ("notes removed", len(certificate.removed.notes)),
                ("snapshots expired", sum(len(ids) for ids in certificate.expired_snapshots.values())),
                ("files deleted", sum(len(paths) for paths in certificate.deleted_files.values())),
            ]
        ),
    )

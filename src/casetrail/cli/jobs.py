"""`casetrail jobs`: counts of background jobs by kind and status, for operators.

The counts name job kinds only (``documents.ingest``), never a case or a document, so the
command runs as the local operator without a token.
"""

from __future__ import annotations

import typer

from casetrail.cli.output import OutputFormat, OutputOption, print_result, print_table
from casetrail.cli.runtime import current_runtime, operator_transaction
from casetrail.jobs.queue import queue_counts


def jobs(output: OutputOption = OutputFormat.TEXT) -> None:
    """Show how many jobs of each kind are queued, running, done or failed."""
    runtime = current_runtime()
    with operator_transaction(runtime) as (session, _ctx):
        counts = queue_counts(session)
    data = [{"kind": count.kind, "status": count.status, "count": count.count} for count in counts]
    print_result(output, data, lambda: _print_counts(data))


def _print_counts(data: list[dict[str, object]]) -> None:
    if not data:
        typer.echo("no jobs")
        return
    print_table(["kind", "status", "jobs"], [[row["kind"], row["status"], row["count"]] for row in data])

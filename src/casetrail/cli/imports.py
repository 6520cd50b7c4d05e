"""`casetrail import ftm`: load a FollowTheMoney entity file into a case (acts as the local operator).

The whole file is imported in one transaction: when any line is invalid the command names the
line and the property, and nothing of the file stays in the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from casetrail.cli.errors import EXIT_USER_ERROR, describe
from casetrail.cli.output import OutputFormat, OutputOption, hint, print_fields, print_result, print_table
from casetrail.cli.runtime import current_runtime, operator_transaction
from casetrail.core.errors import ImportFailed
from casetrail.exchange.ftm_import import ImportReport, import_ftm

import_app = typer.Typer(help="Import files into a case.")


@contextmanager
def byte_progress(description: str, total_bytes: int) -> Iterator[Callable[[int], None]]:
    """Show a progress bar on standard error; the yielded function sets the bytes done so far."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        task = progress.add_task(description, total=total_bytes)
        yield lambda done: progress.update(task, completed=done)


@import_app.command("ftm")
def import_ftm_file(
    *,
    case: Annotated[str, typer.Option("--case", help="Number of the case that receives the entities.")],
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="FtM entity JSON, one entity per line, as published by Aleph and OpenSanctions.",
        ),
    ],
    skip_invalid_values: Annotated[
        bool,
        typer.Option(
            "--skip-invalid-values",
            help="Leave out property values that are invalid for their type (for example a malformed "
            "phone number) and list them, instead of rejecting the file. Unknown schemata and "
            "properties are always rejected.",
        ),
    ] = False,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Import a FollowTheMoney entity file into a case."""
    runtime = current_runtime()
    try:
        with (
            file.open("rb") as stream,
            byte_progress(f"importing {file.name}", file.stat().st_size) as advance,
            operator_transaction(runtime) as (session, ctx),
        ):
            report = import_ftm(
                session,
                ctx,
                case,
                stream,
                file_name=file.name,
                skip_invalid_values=skip_invalid_values,
                on_progress=lambda _line: advance(stream.tell()),
            )
    except ImportFailed as error:
        typer.echo(describe(error), err=True)
        hint(f"Nothing from {file.name} was stored. Correct the file and import it again.")
        raise typer.Exit(EXIT_USER_ERROR) from None
    data = report_data(report)
    print_result(output, data, lambda: print_report(case, data))


def report_data(report: ImportReport) -> dict[str, Any]:
    return {
        "batch_id": report.batch_id,
        "file_name": report.file_name,
        "sha256": report.sha256,
        "lines": report.lines,
        "entities": report.entities,
        "statements": report.statements,
        "schemata": dict(sorted(report.schemata.items())),
        "skipped_values": [
            {"line": line, "property": prop, "reason": reason} for line, prop, reason in report.skipped_values
        ],
        "dangling_references": report.dangling_references,
    }


def print_report(case: str, data: dict[str, Any]) -> None:
    typer.echo(f"imported {data['file_name']} into case {case}")
    print_fields(
        [
            ("import batch", data["batch_id"]),
            ("sha256", data["sha256"]),
            ("lines", data["lines"]),
            ("entities", data["entities"]),
            ("statements", data["statements"]),
            ("skipped values", len(data["skipped_values"])),
            ("dangling references", data["dangling_references"]),
        ]
    )
    typer.echo("")
    print_table(("schema", "entities"), list(data["schemata"].items()))
    if data["skipped_values"]:
        typer.echo("")
        rows = [[item["line"], item["property"], item["reason"]] for item in data["skipped_values"]]
        print_table(("line", "property", "reason"), rows)

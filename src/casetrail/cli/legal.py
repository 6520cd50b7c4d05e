"""`casetrail doc ...`: check issued PDFs, manage legal document templates, render samples.

``verify`` and ``templates`` act as the user whose API token is in ``CASETRAIL_TOKEN`` when it
is set, and as the local operator otherwise. ``sample`` needs no database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from casetrail.auth.context import RequestContext
from casetrail.cli.errors import EXIT_INTEGRITY_FAILED
from casetrail.cli.output import OutputFormat, OutputOption, print_result, print_table
from casetrail.cli.runtime import TOKEN_ENV, current_runtime, operator_transaction, user_transaction
from casetrail.legal import library, preview
from casetrail.legal.verify import Verdict, verify_pdf

doc_app = typer.Typer(help="Legal documents: verify issued PDFs, manage templates, render samples.")
templates_app = typer.Typer(help="Legal document templates: list them, add a template or a new version.")
doc_app.add_typer(templates_app, name="templates")

MAX_VERIFY_BYTES = 512 * 1024 * 1024


@contextmanager
def _acting() -> Iterator[tuple[Session, RequestContext]]:
    runtime = current_runtime()
    if os.environ.get(TOKEN_ENV, "").strip():
        with user_transaction(runtime) as pair:
            yield pair
    else:
        with operator_transaction(runtime) as pair:
            yield pair


@doc_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="The PDF to check.", exists=True, dir_okay=False)],
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Tell whether a PDF is a version Casetrail issued, and which.

    Exit status 0 when the file is, byte for byte, an issued version; 3 when it is not (changed,
    re-saved, a draft, or unknown), naming the version it claims to be when its footer names one.
    """
    if file.stat().st_size > MAX_VERIFY_BYTES:
        typer.echo(
            f"error: {file} is larger than {MAX_VERIFY_BYTES} bytes; no issued PDF is that large", err=True
        )
        raise typer.Exit(EXIT_INTEGRITY_FAILED)
    with _acting() as (session, ctx):
        result = verify_pdf(session, ctx, file.read_bytes())
    data = {
        "verdict": result.verdict.value,
        "sha256": result.sha256,
        "document_id": result.document_id,
        "version": result.version,
        "case": result.case_number,
        "title": result.title,
        "status": result.status,
        "issued_sha256": result.issued_sha256,
        "message": result.describe(),
    }
    print_result(output, data, lambda: typer.echo(f"{file}: {result.describe()}"))
    if result.verdict != Verdict.ISSUED:
        raise typer.Exit(EXIT_INTEGRITY_FAILED)


@templates_app.command("list")
def list_templates(output: OutputOption = OutputFormat.TEXT) -> None:
    """List the templates with their current version and fields."""
    with _acting() as (session, ctx):
        views = library.list_templates(session, ctx)
        rows: list[dict[str, Any]] = [
            {
                "key": view.template.key,
                "name": view.template.name,
                "version": view.current.number,
                "sha256": view.current.sha256,
                "fields": [field.name for field in view.definition.fields],
            }
            for view in views
        ]
    print_result(
        output,
        rows,
        lambda: print_table(
            ["key", "version", "name", "fields"],
            [[row["key"], row["version"], row["name"], ", ".join(row["fields"])] for row in rows],
        ),
    )


@templates_app.command("add")
def add_template(
    key: Annotated[
        str, typer.Argument(help="Template key, e.g. report_of_investigation; new keys add a template.")
    ],
    source: Annotated[
        Path, typer.Option("--source", help="The typst source (.typ).", exists=True, dir_okay=False)
    ],
    fields: Annotated[
        Path, typer.Option("--fields", help="The field definitions (.toml).", exists=True, dir_okay=False)
    ],
    comment: Annotated[str, typer.Option(help="What changed, kept with the version.")] = "",
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Check and save a template version: it must compile against sample data and keep the footer.

    A compile error names the template and the line of the source; nothing is saved then.
    """
    with _acting() as (session, ctx):
        saved = library.save_template_version(
            session,
            ctx,
            key,
            source=source.read_text("utf-8"),
            definition=fields.read_text("utf-8"),
            comment=comment,
        )
        data = {"key": key, "version": saved.number, "sha256": saved.sha256}
    print_result(output, data, lambda: typer.echo(f"template {key} version {data['version']} saved"))


@doc_app.command("sample")
def sample(
    out: Annotated[Path, typer.Option("--out", help="Folder for the PDF and PNG files; created if missing.")],
    template: Annotated[
        list[str] | None, typer.Option("--template", help="Template key; repeat for several. Default: all.")
    ] = None,
    scale: Annotated[float, typer.Option(help="PNG scale: 1 is 72 dots per inch.", min=0.5, max=6)] = 1.5,
) -> None:
    """Render each shipped template with sample data to PDF and to one PNG per page."""
    for files in preview.write_samples(out, template or None, scale):
        typer.echo(f"{files.key}: {files.pdf} and {len(files.pages)} PNG pages")

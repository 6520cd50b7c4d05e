"""`casetrail evidence ...`: check stored files, print custody reports and labels, export packages.

Commands act as the user whose API token is in ``CASETRAIL_TOKEN`` when it is set, and as the
local operator otherwise. ``verify-package`` needs neither: it checks a package file alone.
Long reads (checking every stored file, writing a package) run outside a database transaction,
so they do not hold the embedded database's write lock.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from casetrail.auth.context import RequestContext
from casetrail.blobs.factory import blob_store
from casetrail.cli.errors import EXIT_INTEGRITY_FAILED
from casetrail.cli.output import OutputFormat, OutputOption, hint, print_result, print_table
from casetrail.cli.runtime import TOKEN_ENV, Runtime, current_runtime, operator_transaction, user_transaction
from casetrail.evidence.integrity import BlobCheckReport, check_files, plan_check, record_check
from casetrail.evidence.package import prepare_export, record_export, write_package
from casetrail.evidence.package_verify import PackageCheck, verify_package
from casetrail.evidence.reports import custody_report, item_label

evidence_app = typer.Typer(
    help="Evidence: check stored files, custody reports, labels and packages for prosecution."
)

CaseOption = Annotated[str, typer.Option("--case", help="Case number, e.g. 2026-0142.")]


@contextmanager
def acting_transaction(runtime: Runtime) -> Iterator[tuple[Session, RequestContext]]:
    """Run a block as the token's user when ``CASETRAIL_TOKEN`` is set, else as the local operator."""
    if os.environ.get(TOKEN_ENV, "").strip():
        with user_transaction(runtime) as pair:
            yield pair
    else:
        with operator_transaction(runtime) as pair:
            yield pair


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


@evidence_app.command("verify")
def verify(
    case: Annotated[str | None, typer.Option("--case", help="Check only this case's files.")] = None,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Recheck every stored evidence file: each chunk's tag, the SHA-256 and the size.

    Exit status 0 when every file matches, 3 when any does not; each bad file is listed with
    its case, item and SHA-256.
    """
    runtime = current_runtime()
    store = blob_store(runtime.settings)
    with acting_transaction(runtime) as (session, ctx):
        plan = plan_check(session, ctx, case)
    with typer.progressbar(length=len(plan.files), label="Checking evidence files", file=sys.stderr) as bar:
        report = check_files(store, plan, bar.update)
    with acting_transaction(runtime) as (session, ctx):
        record_check(session, ctx, plan, report)
    print_result(output, _report_data(report), lambda: _print_report(report))
    if not report.ok:
        raise typer.Exit(EXIT_INTEGRITY_FAILED)


def _report_data(report: BlobCheckReport) -> dict[str, object]:
    return {
        "ok": report.ok,
        "blobs_checked": report.blobs_checked,
        "files_checked": report.files_checked,
        "bytes_checked": report.bytes_checked,
        "failures": [
            {
                "case_number": failure.ref.case_number,
                "item_number": failure.ref.item_number,
                "file_id": failure.ref.file_id,
                "sha256": failure.ref.sha256,
                "problem": failure.problem,
            }
            for failure in report.failures
        ],
    }


def _print_report(report: BlobCheckReport) -> None:
    if report.failures:
        print_table(
            ["case", "item", "sha256", "problem"],
            [
                [failure.ref.case_number, failure.ref.item_number, failure.ref.sha256, failure.problem]
                for failure in report.failures
            ],
        )
    status = "all files match" if report.ok else f"{len(report.failures)} files FAILED"
    typer.echo(f"{report.files_checked} files in {report.blobs_checked} blobs checked: {status}")


@evidence_app.command("verify-package")
def verify_package_command(
    file: Annotated[
        Path, typer.Argument(help="The evidence package (.zip) to check.", exists=True, dir_okay=False)
    ],
    expect_fingerprint: Annotated[
        str | None,
        typer.Option(help="Fingerprint of the signing key as published by the sending agency."),
    ] = None,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Check a package's signature, every file's SHA-256 and size, and its custody log chain.

    Needs only the zip. Exit status 0 when the package is intact, 3 when a file was changed,
    removed or added, or the signature does not match.
    """
    check = verify_package(file, expect_fingerprint)
    data = {
        "ok": check.ok,
        "fingerprint": check.fingerprint,
        "files_checked": check.files_checked,
        "problems": [
            {"kind": item.kind, "path": item.path, "detail": item.detail} for item in check.problems
        ],
    }
    print_result(output, data, lambda: _print_package_check(check, expect_fingerprint))
    if not check.ok:
        raise typer.Exit(EXIT_INTEGRITY_FAILED)


def _print_package_check(check: PackageCheck, expected: str | None) -> None:
    if check.problems:
        print_table(
            ["problem", "file", "detail"], [[item.kind, item.path, item.detail] for item in check.problems]
        )
    typer.echo(f"signing key fingerprint: {check.fingerprint or 'unknown'}")
    if expected is None and check.fingerprint:
        hint(
            "compare the fingerprint with the one the sending agency published, or pass --expect-fingerprint"
        )
    status = "intact" if check.ok else f"{len(check.problems)} problems"
    typer.echo(f"{check.files_checked} files checked: {status}")


@evidence_app.command("report")
def report(
    case: CaseOption,
    output_file: Annotated[Path, typer.Option("-o", "--output-file", help="Where to write the PDF.")],
    item: Annotated[
        list[str] | None, typer.Option("--item", help="Item number; repeat for several. Default: every item.")
    ] = None,
) -> None:
    """Write the chain-of-custody report of a case, or of some of its items, as PDF."""
    runtime = current_runtime()
    with acting_transaction(runtime) as (session, ctx):
        pdf = custody_report(session, ctx, runtime.settings, case, item or None)
    _write_atomically(output_file, pdf)
    hint(f"wrote {output_file} ({len(pdf)} bytes)")


@evidence_app.command("label")
def label(
    case: CaseOption,
    item: Annotated[str, typer.Option("--item", help="Item number, e.g. E-0001.")],
    output_file: Annotated[Path, typer.Option("-o", "--output-file", help="Where to write the PDF.")],
) -> None:
    """Write the label of one item (number, case, description, QR code) as PDF, 100 x 62 mm."""
    runtime = current_runtime()
    with acting_transaction(runtime) as (session, ctx):
        pdf = item_label(session, ctx, case, item)
    _write_atomically(output_file, pdf)
    hint(f"wrote {output_file} ({len(pdf)} bytes)")


@evidence_app.command("export")
def export(
    case: CaseOption,
    output_file: Annotated[
        Path, typer.Option("-o", "--output-file", help="Where to write the package (.zip).")
    ],
    items: Annotated[
        list[str] | None,
        typer.Option("--items", "--item", help="Item number; repeat for several. Default: all."),
    ] = None,
) -> None:
    """Export an evidence package: originals, custody log (JSON, CSV), report and a signed manifest."""
    runtime = current_runtime()
    store = blob_store(runtime.settings)
    with acting_transaction(runtime) as (session, ctx):
        plan = prepare_export(session, ctx, runtime.settings, case, items or None)
    summary = write_package(plan, store, runtime.settings, output_file)
    with acting_transaction(runtime) as (session, ctx):
        record_export(session, ctx, plan, summary)
    typer.echo(f"wrote {summary.path}: {summary.files} files, {summary.bytes} bytes of originals")
    typer.echo(f"signing key fingerprint: {summary.fingerprint}")

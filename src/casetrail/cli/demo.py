"""`casetrail demo`: load the demo units, accounts, cases and dataset (acts as the local operator)."""

from __future__ import annotations

from typing import Any

import typer

from casetrail.cli.imports import report_data
from casetrail.cli.output import OutputFormat, OutputOption, hint, print_result, print_table
from casetrail.cli.runtime import current_runtime, operator_transaction
from casetrail.demo.loader import DemoReport, load_demo

RESET_HINT = (
    "Reset a password with `casetrail user password USERNAME`, or "
    "`printf '%s\\n' NEW_PASSWORD | casetrail user password USERNAME --password-stdin`."
)


def demo(output: OutputOption = OutputFormat.TEXT) -> None:
    """Load the demo: two units, six accounts, two cases, a public OpenSanctions dataset and two leads.

    Safe to run again: only what is missing is created. Passwords of new accounts are random
    and printed once; afterwards they can only be reset.
    """
    runtime = current_runtime()
    with operator_transaction(runtime) as (session, ctx):
        report = load_demo(session, ctx, runtime.settings)
    print_result(output, _report_data(report), lambda: _print_report(report))
    if report.accounts_existing:
        hint(RESET_HINT)


def _report_data(report: DemoReport) -> dict[str, Any]:
    return {
        "units_created": report.units_created,
        "accounts_created": [
            {
                "username": account.username,
                "role": account.role.value,
                "unit": account.unit,
                "password": password,
            }
            for account, password in report.accounts_created
        ],
        "accounts_existing": report.accounts_existing,
        "cases_created": [case.number for case in report.cases_created],
        "cases_existing": report.cases_existing,
        "imports": [{"case": number, **report_data(result)} for number, result in report.imports],
        "leads_created": report.leads_created,
    }


def _print_report(report: DemoReport) -> None:
    if report.units_created:
        typer.echo(f"created units: {', '.join(report.units_created)}")
    if report.accounts_created:
        typer.echo("created accounts; their passwords are shown only this once, store them now:")
        rows = [
            [account.username, account.display_name, account.role.value, account.unit or "", password]
            for account, password in report.accounts_created
        ]
        print_table(("username", "name", "role", "unit", "password"), rows)
    if report.accounts_existing:
        typer.echo(
            f"accounts already exist: {', '.join(report.accounts_existing)}; "
            "their passwords were printed when they were created"
        )
    for case in report.cases_created:
        typer.echo(f"created case {case.number}: {case.title} (lead: {case.lead})")
    if report.cases_existing:
        typer.echo(f"cases already exist: {', '.join(report.cases_existing)}")
    for number, result in report.imports:
        typer.echo(
            f"imported {result.file_name} into case {number}: {result.entities} entities, "
            f"{result.statements} statements; invalid values left out: {len(result.skipped_values)}"
        )
    if report.leads_created:
        typer.echo(f"recorded leads: {', '.join(report.leads_created)}")
    if not report.created_anything:
        typer.echo("the demo is already loaded; nothing was created")

"""`casetrail case ...` and `casetrail note ...`.

`case create` acts as the local operator. Reading cases and adding notes act as the user whose
API token is in ``CASETRAIL_TOKEN``: a case that user may not see reads as not found.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from casetrail.auth.roles import Sensitivity
from casetrail.cases import members as member_service
from casetrail.cases import notes as note_service
from casetrail.cases import service as case_service
from casetrail.cases.models import Case
from casetrail.cases.workflow import CaseStatus
from casetrail.cli.names import unit_names, usernames
from casetrail.cli.output import OutputFormat, OutputOption, print_fields, print_result, print_table
from casetrail.cli.runtime import current_runtime, operator_transaction, user_transaction

case_app = typer.Typer(help="Open cases, list the cases you may see and show one.")
note_app = typer.Typer(help="Notes of a case.")

CaseNumber = Annotated[str, typer.Option("--case", help="Case number, e.g. 2026-0142.")]


def _case_summary(case: Case, units: dict[str, str], users: dict[str, str]) -> dict[str, Any]:
    return {
        "id": case.id,
        "number": case.number,
        "title": case.title,
        "status": case.status,
        "sensitivity": case.sensitivity,
        "unit": units.get(case.unit_id or ""),
        "lead": users.get(case.lead_id),
        "created_at": case.created_at,
    }


@case_app.command("create")
def create_case(
    *,
    number: Annotated[
        str,
        typer.Option(help="Case number: 2-32 letters, digits, '.' or '-', starting with a letter or digit."),
    ],
    title: Annotated[str, typer.Option(help="Short title of the case.")],
    lead: Annotated[str, typer.Option(help="Username of the lead investigator; the case joins their unit.")],
    summary: Annotated[str, typer.Option(help="What the case is about.")] = "",
    offence: Annotated[str, typer.Option(help="Offence category, e.g. 'sanctions evasion'.")] = "",
    sensitivity: Annotated[
        Sensitivity, typer.Option(help="Sensitivity label; only users cleared to it see the case.")
    ] = Sensitivity.RESTRICTED,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Open a case with a lead investigator (acts as the local operator)."""
    runtime = current_runtime()
    with operator_transaction(runtime) as (session, ctx):
        case = case_service.create_case(
            session,
            ctx,
            title=title,
            lead_username=lead,
            number=number,
            summary=summary,
            offence_category=offence,
            sensitivity=sensitivity.value,
        )
        data = _case_summary(case, unit_names(session, [case.unit_id]), usernames(session, [case.lead_id]))
    print_result(output, data, lambda: typer.echo(f"created case {case.number}: {case.title}"))


@case_app.command("list")
def list_cases(
    *,
    status: Annotated[CaseStatus | None, typer.Option(help="Only cases in this status.")] = None,
    search: Annotated[
        str | None, typer.Option(help="Only cases whose number or title contains this text.")
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=1000, help="Maximum number of cases to print, newest first.")
    ] = 50,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """List the cases you may see (acts as the user of CASETRAIL_TOKEN)."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        page = case_service.list_cases(
            session, ctx, status=status.value if status else None, text=search, limit=limit
        )
        units = unit_names(session, [case.unit_id for case in page.items])
        users = usernames(session, [case.lead_id for case in page.items])
        items = [_case_summary(case, units, users) for case in page.items]
    columns = ("number", "title", "status", "sensitivity", "unit", "lead", "created_at")
    print_result(
        output,
        {"total": page.total, "items": items},
        lambda: print_table(columns, [[item[name] for name in columns] for item in items]),
    )


@case_app.command("show")
def show_case(
    *,
    number: Annotated[str, typer.Argument(help="Case number, e.g. 2026-0142.")],
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Show a case, its members and what you may do in it (acts as the user of CASETRAIL_TOKEN)."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        access = case_service.get_case(session, ctx, number)
        case = access.case
        data = _case_summary(case, unit_names(session, [case.unit_id]), usernames(session, [case.lead_id]))
        members = member_service.list_members(session, ctx, number)
    data.update(
        summary=case.summary,
        offence_category=case.offence_category,
        updated_at=case.updated_at,
        version=case.version,
        members=[{"username": member.username, "role": member.role} for member in members],
        your_permissions=sorted(access.permissions),
    )
    print_result(output, data, lambda: _print_case(data))


def _print_case(data: dict[str, Any]) -> None:
    members = ", ".join(f"{member['username']} ({member['role']})" for member in data["members"])
    print_fields(
        [
            ("case", data["number"]),
            ("title", data["title"]),
            ("status", data["status"]),
            ("sensitivity", data["sensitivity"]),
            ("unit", data["unit"]),
            ("lead", data["lead"]),
            ("offence", data["offence_category"]),
            ("members", members),
            ("created", data["created_at"]),
            ("updated", data["updated_at"]),
            ("version", data["version"]),
            ("you may", ", ".join(data["your_permissions"])),
        ]
    )
    if data["summary"]:
        typer.echo("")
        typer.echo(data["summary"])


@note_app.command("add")
def add_note(
    *,
    case: CaseNumber,
    text: Annotated[str, typer.Argument(help="Text of the note.")],
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Add a note to a case (acts as the user of CASETRAIL_TOKEN)."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        note = note_service.add_note(session, ctx, case, text)
    data = {"id": note.id, "case": case, "author": note.author_name, "created_at": note.created_at}
    print_result(output, data, lambda: typer.echo(f"added note {note.id} to case {case}"))

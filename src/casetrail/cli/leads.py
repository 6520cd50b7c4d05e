"""`casetrail leads ...`: the triage queue, one lead, assignment and case links.

Every command acts as the user whose API token is in ``CASETRAIL_TOKEN``, through the same
policy as the API: a lead that user may not see reads as not found.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from casetrail.cli.output import OutputFormat, OutputOption, print_fields, print_result, print_table
from casetrail.cli.runtime import current_runtime, user_transaction
from casetrail.leads import conversion, service
from casetrail.leads.models import Lead
from casetrail.leads.queue import SORTS, QueueFilter, lead_view, list_queue
from casetrail.leads.workflow import LeadStatus

leads_app = typer.Typer(help="Leads and tips: the triage queue, assignment and links to cases.")

Reference = Annotated[str, typer.Argument(help="Lead reference, e.g. L-2026-0042.")]


def _summary(lead: Lead) -> dict[str, Any]:
    return {
        "reference": lead.reference,
        "title": lead.title,
        "kind": lead.kind,
        "status": lead.status,
        "priority": lead.priority,
        "category": lead.category,
        "jurisdiction": lead.jurisdiction,
        "group_id": lead.group_id,
        "received_at": lead.received_at,
        "due_at": lead.due_at,
    }


@leads_app.command("list")
def list_leads(
    *,
    status: Annotated[
        LeadStatus | None, typer.Option(help="Only leads in this status; default all open.")
    ] = None,
    priority: Annotated[
        str | None, typer.Option(help="Only this priority: urgent, high, normal, low.")
    ] = None,
    assignee: Annotated[
        str | None, typer.Option(help="Only leads assigned to this username, or 'me'.")
    ] = None,
    overdue: Annotated[bool, typer.Option(help="Only leads past their due time.")] = False,
    sort: Annotated[str, typer.Option(help=f"Order: {', '.join(SORTS)}.")] = "priority",
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Maximum number of leads to print.")] = 50,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """List the triage queue you may see (acts as the user of CASETRAIL_TOKEN)."""
    flt = QueueFilter(
        statuses=[status.value] if status else [], priority=priority, assignee=assignee, overdue=overdue
    )
    with user_transaction(current_runtime()) as (session, ctx):
        page = list_queue(session, ctx, flt, sort=sort, limit=limit)
        items = [
            {
                **_summary(item.lead),
                "overdue": item.overdue,
                "group_size": item.group_size,
                "assignee": item.assignee,
            }
            for item in page.items
        ]
    columns = ("reference", "status", "priority", "overdue", "group_size", "assignee", "title")
    print_result(
        output,
        {"total": page.total, "items": items},
        lambda: print_table(columns, [[item[name] for name in columns] for item in items]),
    )


@leads_app.command("show")
def show_lead(*, reference: Reference, output: OutputOption = OutputFormat.TEXT) -> None:
    """Show a lead, its history, attachments and similar leads (acts as the user of CASETRAIL_TOKEN)."""
    with user_transaction(current_runtime()) as (session, ctx):
        view = lead_view(session, ctx, reference)
        data = {
            **_summary(view.lead),
            "body": view.lead.body,
            "location": view.lead.location,
            "overdue": view.overdue,
            "assignee": view.assignee,
            "unit": view.unit,
            "case": view.case_number,
            "attachments": [{"file_name": doc.file_name, "status": doc.status} for doc in view.attachments],
            "similar": [{"reference": item.lead.reference, "reasons": item.reasons} for item in view.similar],
            "history": [
                {"to": row.to_status, "reason": row.reason, "by": row.changed_by, "at": row.changed_at}
                for row in view.history
            ],
        }
    print_result(output, data, lambda: _print_lead(data))


def _print_lead(data: dict[str, Any]) -> None:
    similar = ", ".join(f"{item['reference']} ({', '.join(item['reasons'])})" for item in data["similar"])
    print_fields(
        [
            ("lead", data["reference"]),
            ("title", data["title"]),
            ("status", data["status"]),
            ("priority", data["priority"]),
            ("overdue", data["overdue"]),
            ("assignee", data["assignee"]),
            ("unit", data["unit"]),
            ("case", data["case"]),
            ("place", data["location"]),
            ("attachments", ", ".join(item["file_name"] for item in data["attachments"])),
            ("similar", similar),
            ("received", data["received_at"]),
            ("due", data["due_at"]),
        ]
    )
    if data["body"]:
        typer.echo("")
        typer.echo(data["body"])


@leads_app.command("assign")
def assign_lead(
    *,
    reference: Reference,
    user: Annotated[
        str | None, typer.Option("--user", help="Username of the person who works the lead.")
    ] = None,
    unit: Annotated[str | None, typer.Option(help="Name of the unit whose queue gets the lead.")] = None,
    reason: Annotated[str, typer.Option(help="Note kept in the lead's history.")] = "",
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Assign a lead to a person or route it to a unit (acts as the user of CASETRAIL_TOKEN)."""
    with user_transaction(current_runtime()) as (session, ctx):
        lead = service.assign(session, ctx, reference, username=user, unit_name=unit, reason=reason)
        data = _summary(lead)
    print_result(output, data, lambda: typer.echo(f"lead {reference} is {data['status']}"))


@leads_app.command("status")
def change_status(
    *,
    reference: Reference,
    to: Annotated[LeadStatus, typer.Option("--to", help="The next status.")],
    reason: Annotated[str, typer.Option(help="Why; kept in the lead's history.")],
    close_reason: Annotated[
        str | None, typer.Option(help="Needed to close, e.g. duplicate or no_further_action.")
    ] = None,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Move a lead through new, in triage, assigned, actioned and closed."""
    with user_transaction(current_runtime()) as (session, ctx):
        lead = service.change_status(
            session, ctx, reference, to_status=to.value, reason=reason, close_reason=close_reason
        )
        data = _summary(lead)
    print_result(output, data, lambda: typer.echo(f"lead {reference} is {data['status']}"))


@leads_app.command("link")
def link_lead(
    *,
    reference: Reference,
    case: Annotated[
        str | None, typer.Option("--case", help="Number of an existing case you may change.")
    ] = None,
    new_case: Annotated[
        str | None, typer.Option("--new-case", help="Open a new case with this title instead.")
    ] = None,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Carry a lead's facts and attachments into an existing case or a new one."""
    if (case is None) == (new_case is None):
        raise typer.BadParameter("give exactly one of --case NUMBER and --new-case TITLE")
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        if case is not None:
            result = conversion.link_case(session, ctx, runtime.settings, reference, case_number=case)
        else:
            result = conversion.open_case_from_lead(session, ctx, runtime.settings, reference, title=new_case)
        data = {
            "case": result.case.number,
            "entities": len(result.entity_ids),
            "documents": len(result.documents),
        }
    print_result(
        output,
        data,
        lambda: typer.echo(
            f"lead {reference} is in case {data['case']}: "
            f"{data['entities']} entities, {data['documents']} documents"
        ),
    )

"""`casetrail entity ...`: the FollowTheMoney entities of a case.

These commands act as the user whose API token is in ``CASETRAIL_TOKEN``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from casetrail.cli.output import OutputFormat, OutputOption, print_fields, print_result, print_table
from casetrail.cli.runtime import current_runtime, user_transaction
from casetrail.entities import service as entity_service
from casetrail.entities.models import Statement

entity_app = typer.Typer(help="List and show the entities of a case.")

CaseNumber = Annotated[str, typer.Option("--case", help="Case number, e.g. 2026-0142.")]


@entity_app.command("list")
def list_entities(
    *,
    case: CaseNumber,
    schema: Annotated[
        str | None, typer.Option(help="Only entities of this FtM schema or its descendants, e.g. Person.")
    ] = None,
    search: Annotated[
        str | None, typer.Option(help="Only entities whose caption contains this text.")
    ] = None,
    relationships: Annotated[
        bool, typer.Option("--relationships", help="Also list relationship entities such as Ownership.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Maximum number of entities to print.")] = 100,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """List the entities of a case, by schema and caption."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        page = entity_service.list_entities(
            session,
            ctx,
            case,
            schema=schema,
            text=search,
            include_relationships=relationships,
            limit=limit,
        )
        items = [
            {"id": row.entity_id, "schema": row.schema, "caption": row.caption, "version": row.version}
            for row in page.items
        ]
    columns = ("id", "schema", "caption")
    print_result(
        output,
        {"total": page.total, "items": items},
        lambda: print_table(columns, [[item[name] for name in columns] for item in items]),
    )


@entity_app.command("show")
def show_entity(
    *,
    case: CaseNumber,
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="Entity id.")],
    statements: Annotated[
        bool, typer.Option("--statements", help="Also print each fact with its source and who recorded it.")
    ] = False,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Show an entity with its property values; JSON output includes every statement."""
    runtime = current_runtime()
    with user_transaction(runtime) as (session, ctx):
        view = entity_service.get_entity(session, ctx, case, entity_id)
        data = {
            "id": view.record.entity_id,
            "schema": view.record.schema,
            "caption": view.record.caption,
            "version": view.record.version,
            "redirected_from": view.redirected_from,
            "properties": view.proxy.to_dict()["properties"],
            "statements": [_statement_data(stmt) for stmt in view.statements],
        }
    print_result(output, data, lambda: _print_entity(data, with_statements=statements))


def _statement_data(stmt: Statement) -> dict[str, Any]:
    return {
        "id": stmt.id,
        "prop": stmt.prop,
        "value": stmt.value,
        "source_type": stmt.source_type,
        "source_id": stmt.source_id,
        "recorded_by": stmt.recorded_by,
        "recorded_at": stmt.recorded_at,
    }


def _print_entity(data: dict[str, Any], *, with_statements: bool) -> None:
    fields: list[tuple[str, Any]] = [
        ("id", data["id"]),
        ("schema", data["schema"]),
        ("caption", data["caption"]),
    ]
    if data["redirected_from"]:
        fields.append(("merged from", data["redirected_from"]))
    fields.extend((prop, "; ".join(values)) for prop, values in sorted(data["properties"].items()))
    print_fields(fields)
    if with_statements:
        typer.echo("")
        columns = ("prop", "value", "source_type", "source_id", "recorded_by", "recorded_at")
        print_table(columns, [[stmt[name] for name in columns] for stmt in data["statements"]])

"""`casetrail graph ...`: link analysis over one case, or every case you may see with a purpose.

These commands act as the user whose API token is in ``CASETRAIL_TOKEN``. Without ``--case``
they read every case that user may see, and then ``--purpose`` is required: the audit trail
keeps it with the query.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from casetrail.cli.output import OutputFormat, OutputOption, print_result, print_table
from casetrail.cli.runtime import current_runtime, user_transaction
from casetrail.graph import downloads, service
from casetrail.graph.analytics import CentralityOrder, CommunityMethod
from casetrail.graph.exports import ExportFormat
from casetrail.graph.model import Edge, Node
from casetrail.graph.scope import GraphFilters, GraphTarget

graph_app = typer.Typer(help="Link analysis: neighbours, paths, centrality, communities, timeline, export.")

CaseOption = Annotated[
    str | None,
    typer.Option("--case", help="Case number, e.g. 2026-0142; leave out to read every case you may see."),
]
PurposeOption = Annotated[
    str | None, typer.Option(help="Why you query across cases; required without --case, and audited.")
]
SchemaOption = Annotated[
    list[str] | None,
    typer.Option("--schema", help="Reach only nodes of this FtM schema (repeatable), e.g. Person."),
]
RelationOption = Annotated[
    list[str] | None,
    typer.Option(
        "--relation", help="Follow only this relationship (repeatable): Ownership, Call, Passport.holder."
    ),
]
DateFromOption = Annotated[
    str | None, typer.Option(help="Only relationships in force on or after: YYYY[-MM[-DD]].")
]
DateToOption = Annotated[
    str | None, typer.Option(help="Only relationships in force on or before: YYYY[-MM[-DD]].")
]
UndatedOption = Annotated[
    bool, typer.Option("--undated/--no-undated", help="With a date range, also follow edges without a date.")
]


def _filters(
    schema: list[str] | None,
    relation: list[str] | None,
    date_from: str | None,
    date_to: str | None,
    undated: bool,
) -> GraphFilters:
    return GraphFilters(
        schemata=schema or [],
        relations=relation or [],
        date_from=date_from,
        date_to=date_to,
        include_undated=undated,
    )


def _node(node: Node, case_numbers: dict[str, str]) -> dict[str, Any]:
    return {
        "id": node.key,
        "schema": node.schema,
        "caption": node.caption,
        "cases": sorted(case_numbers.get(case_id, case_id) for case_id in node.case_ids),
    }


def _edge(edge: Edge, case_numbers: dict[str, str]) -> dict[str, Any]:
    return {
        "id": edge.key,
        "source": edge.source,
        "target": edge.target,
        "relation": edge.relation,
        "label": edge.label,
        "case": case_numbers.get(edge.case_id, edge.case_id),
        "start": edge.start,
        "end": edge.end,
    }


@graph_app.command("neighbours")
def neighbours(
    *,
    entity: Annotated[
        list[str], typer.Argument(help="Entity ids (or value nodes such as phone:+442079460100).")
    ],
    case: CaseOption = None,
    purpose: PurposeOption = None,
    hops: Annotated[int, typer.Option(min=0, max=service.MAX_HOPS, help="Steps away from the entities.")] = 1,
    max_nodes: Annotated[
        int, typer.Option(min=1, max=service.MAX_NODES, help="Stop after this many nodes.")
    ] = 500,
    schema: SchemaOption = None,
    relation: RelationOption = None,
    date_from: DateFromOption = None,
    date_to: DateToOption = None,
    undated: UndatedOption = True,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """List the entities within HOPS steps of the given ones."""
    filters = _filters(schema, relation, date_from, date_to, undated)
    with user_transaction(current_runtime()) as (session, ctx):
        answer = service.neighbours(
            session, ctx.with_purpose(purpose), GraphTarget(number=case), starts=entity,
            hops=hops, filters=filters, max_nodes=max_nodes,
        )  # fmt: skip
        found, numbers = answer.value, answer.case_numbers
        nodes = [{**_node(node, numbers), "hops": found.depth[node.key]} for node in found.nodes]
        data = {
            "nodes": nodes,
            "edges": [_edge(edge, numbers) for edge in found.edges],
            "truncated": found.truncated,
        }
    columns = ("hops", "id", "schema", "caption")
    rows = sorted(([item[name] for name in columns] for item in nodes), key=lambda row: (row[0], row[1]))
    print_result(output, data, lambda: print_table(columns, rows))


@graph_app.command("paths")
def paths(
    *,
    source: Annotated[str, typer.Argument(help="Entity id at one end.")],
    target: Annotated[str, typer.Argument(help="Entity id at the other end.")],
    case: CaseOption = None,
    purpose: PurposeOption = None,
    all_paths: Annotated[
        bool, typer.Option("--all", help="Every path without repeated nodes, not only the shortest.")
    ] = False,
    max_length: Annotated[int, typer.Option(min=1, max=service.MAX_PATH_LENGTH, help="Maximum steps.")] = 6,
    limit: Annotated[int, typer.Option(min=1, max=service.MAX_PATHS, help="Maximum number of paths.")] = 10,
    schema: SchemaOption = None,
    relation: RelationOption = None,
    date_from: DateFromOption = None,
    date_to: DateToOption = None,
    undated: UndatedOption = True,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Print the shortest paths (or all simple paths) between two entities."""
    filters = _filters(schema, relation, date_from, date_to, undated)
    with user_transaction(current_runtime()) as (session, ctx):
        answer = service.paths(
            session, ctx.with_purpose(purpose), GraphTarget(number=case), source=source, to=target,
            shortest=not all_paths, max_length=max_length, limit=limit, filters=filters,
        )  # fmt: skip
        captions = {node.key: node.caption for node in answer.value.subgraph.nodes}
        found: list[dict[str, Any]] = [
            {
                "length": path.length,
                "nodes": path.nodes,
                "edges": [[e.key for e in step] for step in path.edges],
            }
            for path in answer.value.paths
        ]
        data = {"paths": found, "truncated": answer.value.truncated}

    def as_text() -> None:
        if not found:
            typer.echo(f"no path of at most {max_length} steps between {source} and {target}")
        for path in found:
            typer.echo(
                f"{path['length']} steps: " + " -> ".join(captions.get(key, key) for key in path["nodes"])
            )

    print_result(output, data, as_text)


@graph_app.command("centrality")
def centrality(
    *,
    case: CaseOption = None,
    purpose: PurposeOption = None,
    order: Annotated[
        CentralityOrder, typer.Option(help="Rank by degree or by betweenness.")
    ] = CentralityOrder.DEGREE,
    limit: Annotated[int, typer.Option(min=1, max=service.MAX_NODES, help="Number of nodes to print.")] = 20,
    schema: SchemaOption = None,
    relation: RelationOption = None,
    date_from: DateFromOption = None,
    date_to: DateToOption = None,
    undated: UndatedOption = True,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Rank the most connected nodes by degree and betweenness centrality."""
    filters = _filters(schema, relation, date_from, date_to, undated)
    with user_transaction(current_runtime()) as (session, ctx):
        answer = service.centrality(
            session,
            ctx.with_purpose(purpose),
            GraphTarget(number=case),
            order=order,
            limit=limit,
            filters=filters,
        )
        items = [
            {
                **_node(row.node, answer.case_numbers),
                "degree": row.degree,
                "edges": row.edge_count,
                "betweenness": row.betweenness,
            }
            for row in answer.value
        ]
    columns = ("id", "schema", "caption", "degree", "edges", "betweenness")
    rows = [[f"{item[n]:.4f}" if n == "betweenness" else item[n] for n in columns] for item in items]
    print_result(output, {"items": items}, lambda: print_table(columns, rows))


@graph_app.command("communities")
def communities(
    *,
    case: CaseOption = None,
    purpose: PurposeOption = None,
    method: Annotated[
        CommunityMethod, typer.Option(help="Community detection algorithm.")
    ] = CommunityMethod.LOUVAIN,
    schema: SchemaOption = None,
    relation: RelationOption = None,
    date_from: DateFromOption = None,
    date_to: DateToOption = None,
    undated: UndatedOption = True,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Group the nodes into communities of densely linked entities."""
    filters = _filters(schema, relation, date_from, date_to, undated)
    with user_transaction(current_runtime()) as (session, ctx):
        answer = service.communities(
            session, ctx.with_purpose(purpose), GraphTarget(number=case), method=method, filters=filters
        )
        groups = [[_node(node, answer.case_numbers) for node in group] for group in answer.value.groups]
        data = {"modularity": answer.value.modularity, "groups": groups}

    def as_text() -> None:
        typer.echo(f"modularity {answer.value.modularity:.4f}, {len(groups)} communities")
        for number, group in enumerate(groups, start=1):
            typer.echo(community_line(number, [node["caption"] for node in group]))

    print_result(output, data, as_text)


COMMUNITY_NAMES_SHOWN = 10
"""Members named per community in text output; ``--output json`` lists every member."""
CAPTION_WIDTH = 60


def community_line(number: int, captions: list[str]) -> str:
    """Return one line of text output: the first members' names and how many more there are."""
    shown = [_shorten(caption) for caption in captions[:COMMUNITY_NAMES_SHOWN]]
    rest = len(captions) - len(shown)
    more = f", and {rest} more" if rest else ""
    return f"{number} ({len(captions)}): " + ", ".join(shown) + more


def _shorten(caption: str) -> str:
    return caption if len(caption) <= CAPTION_WIDTH else caption[: CAPTION_WIDTH - 1] + "…"


@graph_app.command("timeline")
def timeline(
    *,
    case: CaseOption = None,
    purpose: PurposeOption = None,
    limit: Annotated[int, typer.Option(min=1, max=service.MAX_NODES, help="Maximum number of items.")] = 200,
    schema: SchemaOption = None,
    relation: RelationOption = None,
    date_from: DateFromOption = None,
    date_to: DateToOption = None,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """List dated relationships, calls and events, oldest first."""
    filters = _filters(schema, relation, date_from, date_to, True)
    with user_transaction(current_runtime()) as (session, ctx):
        answer = service.timeline(
            session, ctx.with_purpose(purpose), GraphTarget(number=case), limit=limit, filters=filters
        )
        items, truncated = answer.value
        rows_data = [
            {
                "start": item.start,
                "end": item.end,
                "schema": item.schema,
                "label": item.label,
                "entity_id": item.entity_id,
                "case": answer.case_numbers.get(item.case_id, item.case_id),
                "participants": item.participants,
            }
            for item in items
        ]
    columns = ("start", "end", "schema", "label", "entity_id", "case")
    rows = [[item[name] for name in columns] for item in rows_data]
    print_result(output, {"items": rows_data, "truncated": truncated}, lambda: print_table(columns, rows))


@graph_app.command("export")
def export(
    *,
    file: Annotated[Path, typer.Argument(help="File to write; an existing file is replaced.")],
    export_format: Annotated[ExportFormat, typer.Option("--format", help="graphml, gexf or anx.")],
    case: CaseOption = None,
    purpose: PurposeOption = None,
    schema: SchemaOption = None,
    relation: RelationOption = None,
    date_from: DateFromOption = None,
    date_to: DateToOption = None,
    undated: UndatedOption = True,
) -> None:
    """Write the graph as GraphML, GEXF or i2 Analyst's Notebook exchange XML (ANX)."""
    filters = _filters(schema, relation, date_from, date_to, undated)
    with user_transaction(current_runtime()) as (session, ctx):
        exported = downloads.export_graph(
            session, ctx.with_purpose(purpose), GraphTarget(number=case), export_format, filters=filters
        )
    file.write_bytes(exported.content)
    typer.echo(f"wrote {len(exported.content)} bytes of {export_format.value} to {file}")

"""Exporting a case's graph, or a saved chart, as a file: GraphML, GEXF or i2 ANX."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.graph import charts
from casetrail.graph.exports import ExportFormat, ExportGraph, export
from casetrail.graph.queries import Subgraph
from casetrail.graph.scope import GraphFilters, GraphTarget, open_scope

NO_FILTERS = GraphFilters()
_UNSAFE_FILE_CHARACTERS = re.compile(r"[^0-9A-Za-z._-]+")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    file_name: str


def _file_name(stem: str, export_format: ExportFormat) -> str:
    return f"{_UNSAFE_FILE_CHARACTERS.sub('-', stem).strip('-') or 'graph'}.{export_format.value}"


def export_graph(
    session: Session,
    ctx: RequestContext,
    target: GraphTarget,
    export_format: ExportFormat,
    *,
    filters: GraphFilters = NO_FILTERS,
) -> ExportFile:
    """Export every node and edge of the target cases that the filters allow."""
    node_filter, edge_filter = filters.node_filter(), filters.edge_filter()
    scope = open_scope(session, ctx, target, "graph.export")
    nodes = sorted((node for node in scope.graph.nodes() if node_filter.allows(node)), key=lambda n: n.key)
    keys = {node.key for node in nodes}
    subgraph = Subgraph(nodes, scope.graph.edges_among(keys, edge_filter))
    title = f"Case {scope.case.number}" if scope.case is not None else "Cases you may see"
    content = export(
        ExportGraph(subgraph.nodes, subgraph.edges, scope.case_numbers, title=title), export_format
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.GRAPH_EXPORT,
        object_type="graph",
        case_id=scope.case_id,
        detail={
            "format": export_format.value,
            "case_ids": sorted(scope.case_numbers),
            "filters": filters.as_detail(),
            "nodes": len(subgraph.nodes),
            "edges": len(subgraph.edges),
        },
    )
    stem = f"case-{scope.case.number}-graph" if scope.case is not None else "cross-case-graph"
    return ExportFile(content, export_format.media_type, _file_name(stem, export_format))


def export_chart(
    session: Session, ctx: RequestContext, number: str, chart_id: str, export_format: ExportFormat
) -> ExportFile:
    """Export a saved chart with its positions, as its nodes and their edges are now."""
    opened = charts.open_chart(session, ctx, number, chart_id)
    graph = ExportGraph(
        opened.elements.nodes,
        opened.elements.edges,
        opened.case_numbers,
        positions=opened.positions,
        title=opened.chart.title,
    )
    content = export(graph, export_format)
    record(
        session,
        ctx.audit_source,
        AuditAction.GRAPH_EXPORT,
        object_type="graph_chart",
        object_id=opened.chart.id,
        case_id=opened.chart.case_id,
        detail={"format": export_format.value, "nodes": len(graph.nodes), "edges": len(graph.edges)},
    )
    return ExportFile(content, export_format.media_type, _file_name(f"case-{number}-chart", export_format))

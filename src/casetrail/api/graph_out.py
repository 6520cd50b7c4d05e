"""Converting graph query results to API models, and graph files to download responses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import Response

from casetrail.api.schemas.graph import GraphEdgeOut, GraphElements, GraphNodeOut
from casetrail.graph import downloads
from casetrail.graph.exports import ExportFormat
from casetrail.graph.model import Edge, Node
from casetrail.graph.queries import Subgraph

EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The graph as a file; Content-Disposition names it.",
        "content": {
            fmt.media_type: {"schema": {"type": "string", "format": "binary"}}
            for fmt in (ExportFormat.GRAPHML, ExportFormat.GEXF, ExportFormat.ANX)
        },
    }
}


def node_out(node: Node, case_numbers: Mapping[str, str]) -> GraphNodeOut:
    return GraphNodeOut.model_validate(
        {
            "id": node.key,
            "schema": node.schema,
            "caption": node.caption,
            "kind": "value" if node.is_value else "entity",
            "cases": sorted(case_numbers[case_id] for case_id in node.case_ids if case_id in case_numbers),
            "start": node.start,
            "end": node.end,
        }
    )


def edge_out(edge: Edge, case_numbers: Mapping[str, str]) -> GraphEdgeOut:
    return GraphEdgeOut(
        id=edge.key,
        source=edge.source,
        target=edge.target,
        relation=edge.relation,
        label=edge.label,
        directed=edge.directed,
        entity_id=edge.entity_id,
        case=case_numbers.get(edge.case_id, ""),
        start=edge.start,
        end=edge.end,
    )


def elements_out(subgraph: Subgraph, case_numbers: Mapping[str, str]) -> GraphElements:
    return GraphElements(
        nodes=[node_out(node, case_numbers) for node in subgraph.nodes],
        edges=[edge_out(edge, case_numbers) for edge in subgraph.edges],
        depth=subgraph.depth,
        truncated=subgraph.truncated,
    )


def export_response(exported: downloads.ExportFile) -> Response:
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.file_name}"'},
    )

"""Writing a subgraph as GraphML, GEXF or i2 Analyst's Notebook exchange XML (ANX).

GraphML and GEXF are written by networkx, so networkx, Gephi and yEd read them back. Both hold
a directed multigraph: an edge that FtM treats as undirected (Family, Associate, a shared phone)
carries ``directed=false`` as an attribute. ANX is written by ``casetrail.graph.anx``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import networkx as nx

from casetrail.graph.anx import to_anx
from casetrail.graph.model import Edge, Node

CIRCLE_RADIUS = 400.0
"""Radius, in chart units, of the circle nodes are placed on when the export has no positions."""


class ExportFormat(StrEnum):
    GRAPHML = "graphml"
    GEXF = "gexf"
    ANX = "anx"

    @property
    def media_type(self) -> str:
        return {"graphml": "application/graphml+xml", "gexf": "application/gexf+xml"}.get(
            self.value, "application/xml"
        )


@dataclass(frozen=True)
class ExportGraph:
    """What an export writes: nodes, edges, optional positions and the case numbers by id."""

    nodes: list[Node]
    edges: list[Edge]
    case_numbers: Mapping[str, str]
    positions: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    title: str = "Casetrail link chart"

    def position(self, key: str, number: int) -> tuple[float, float]:
        """Return the stored position of node ``key``, or its place on a circle of all nodes."""
        stored = self.positions.get(key)
        if stored is not None:
            return stored
        angle = 2 * math.pi * number / max(len(self.nodes), 1)
        return (round(CIRCLE_RADIUS * math.cos(angle), 1), round(CIRCLE_RADIUS * math.sin(angle), 1))

    def cases_of(self, node: Node) -> str:
        return ", ".join(sorted(self.case_numbers.get(case_id, case_id) for case_id in node.case_ids))


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    """Drop empty values: the GraphML and GEXF writers have no type for None."""
    return {name: value for name, value in values.items() if value is not None and value != ""}


def _networkx(graph: ExportGraph, *, viz: bool) -> nx.MultiDiGraph[str]:
    result: nx.MultiDiGraph[str] = nx.MultiDiGraph(name=graph.title)
    for number, node in enumerate(graph.nodes):
        x, y = graph.position(node.key, number)
        attributes = _present(
            {
                "label": node.caption,
                "schema": node.schema,
                "kind": "value" if node.is_value else "entity",
                "cases": graph.cases_of(node),
                "start": node.start,
                "end": node.end,
            }
        )
        if viz:
            attributes["viz"] = {"position": {"x": x, "y": y, "z": 0.0}}
        else:
            attributes.update(x=x, y=y)
        result.add_node(node.key, **attributes)
    for edge in graph.edges:
        attributes = _present(
            {
                "label": edge.label,
                "relation": edge.relation,
                "directed": edge.directed,
                "entity_id": edge.entity_id,
                "case": graph.case_numbers.get(edge.case_id, edge.case_id),
                "start": edge.start,
                "end": edge.end,
            }
        )
        result.add_edge(edge.source, edge.target, key=edge.key, **attributes)
    return result


def to_graphml(graph: ExportGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(_networkx(graph, viz=False), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def to_gexf(graph: ExportGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_gexf(_networkx(graph, viz=True), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


WRITERS = {ExportFormat.GRAPHML: to_graphml, ExportFormat.GEXF: to_gexf, ExportFormat.ANX: to_anx}


def export(graph: ExportGraph, export_format: ExportFormat) -> bytes:
    return WRITERS[export_format](graph)

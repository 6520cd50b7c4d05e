"""Saved link charts of a case: create, list, open, update and delete.

A chart's payload is a JSON object:

    {"nodes": [{"id": "person-1", "x": 10.5, "y": -3.0, "pinned": true}, ...],
     "filters": {"schemata": ["Person"], "relations": ["Call"],
                 "date_from": "2026-01", "date_to": null},
     "layout": "cose"}

Node ids are graph keys (entity ids, or ``phone:+15550100`` for shared values); positions are
Cytoscape model coordinates. Opening a chart looks its nodes up again in the case's current
graph, so retracted facts and merges show as they are now: a merged-away id opens as its winner
and an id no longer in the case is listed as missing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import open_case
from casetrail.cases.models import Case
from casetrail.cases.service import check_version
from casetrail.core.clock import utcnow
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.entities.statements import merge_redirects
from casetrail.graph.models import SavedChart
from casetrail.graph.queries import Subgraph
from casetrail.graph.scope import GraphFilters, GraphTarget, open_scope

MAX_CHART_NODES = 5_000
MAX_TITLE_LENGTH = 200
MAX_KEY_LENGTH = 400
MAX_COORDINATE = 1e7
LAYOUTS = ("cose", "breadthfirst", "circle", "concentric", "grid", "preset")


@dataclass(frozen=True)
class ChartNode:
    id: str
    x: float
    y: float
    pinned: bool


def _invalid(message: str, field_name: str) -> ValidationFailed:
    return ValidationFailed(message, {field_name: message})


def _clean_node(raw: Any, number: int) -> ChartNode:
    if not isinstance(raw, Mapping):
        raise _invalid(f"nodes[{number}] must be an object with id, x, y and pinned", "nodes")
    key = raw.get("id")
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise _invalid(
            f"nodes[{number}].id must be a graph node id of 1 to {MAX_KEY_LENGTH} characters", "nodes"
        )
    position = []
    for axis in ("x", "y"):
        value = raw.get(axis, 0.0)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise _invalid(f"nodes[{number}].{axis} must be a finite number", "nodes")
        if abs(value) > MAX_COORDINATE:
            raise _invalid(f"nodes[{number}].{axis} must be within ±{MAX_COORDINATE:g}", "nodes")
        position.append(float(value))
    return ChartNode(key, position[0], position[1], bool(raw.get("pinned", False)))


def _clean_filters(raw: Any) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise _invalid("filters must be an object", "filters")
    names = {name: raw.get(name) or [] for name in ("schemata", "relations")}
    for name, values in names.items():
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise _invalid(f"filters.{name} must be a list of names", "filters")
    filters = GraphFilters(
        schemata=names["schemata"],
        relations=names["relations"],
        date_from=raw.get("date_from") or None,
        date_to=raw.get("date_to") or None,
    )
    filters.node_filter()
    filters.edge_filter()
    return {
        "schemata": list(filters.schemata),
        "relations": list(filters.relations),
        "date_from": filters.date_from,
        "date_to": filters.date_to,
    }


def clean_payload(raw: Any) -> dict[str, Any]:
    """Validate a chart payload and return it in its stored form; raise on the first problem."""
    if not isinstance(raw, Mapping):
        raise _invalid("a chart must be an object with nodes, filters and layout", "payload")
    raw_nodes = raw.get("nodes") or []
    if not isinstance(raw_nodes, list):
        raise _invalid("nodes must be a list", "nodes")
    if len(raw_nodes) > MAX_CHART_NODES:
        raise _invalid(f"a chart holds at most {MAX_CHART_NODES} nodes, got {len(raw_nodes)}", "nodes")
    nodes: dict[str, ChartNode] = {}
    for number, item in enumerate(raw_nodes):
        node = _clean_node(item, number)
        nodes[node.id] = node
    layout = raw.get("layout") or "preset"
    if layout not in LAYOUTS:
        raise _invalid(f"unknown layout {str(layout)[:40]!r}: use one of {', '.join(LAYOUTS)}", "layout")
    return {
        "nodes": [{"id": n.id, "x": n.x, "y": n.y, "pinned": n.pinned} for n in nodes.values()],
        "filters": _clean_filters(raw.get("filters")),
        "layout": layout,
    }


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise _invalid("a chart needs a title", "title")
    if len(title) > MAX_TITLE_LENGTH:
        raise _invalid(f"a chart title is limited to {MAX_TITLE_LENGTH} characters", "title")
    return title


def _chart(session: Session, case: Case, chart_id: str, *, lock: bool = False) -> SavedChart:
    chart = session.get(SavedChart, chart_id, with_for_update=lock or None)
    if chart is None or chart.case_id != case.id:
        raise NotFound(f"chart {chart_id} not found in case {case.number}")
    return chart


def _audit(
    session: Session, ctx: RequestContext, action: AuditAction, chart: SavedChart, **detail: Any
) -> None:
    record(
        session,
        ctx.audit_source,
        action,
        object_type="graph_chart",
        object_id=chart.id,
        case_id=chart.case_id,
        detail=detail,
    )


def create_chart(
    session: Session, ctx: RequestContext, number: str, *, title: str, payload: Any
) -> SavedChart:
    case = open_case(session, ctx, number, CasePermission.WRITE, "graph.chart_create").case
    chart = SavedChart(
        case_id=case.id,
        title=_clean_title(title),
        payload=clean_payload(payload),
        created_by=ctx.actor.username,
        updated_by=ctx.actor.username,
    )
    session.add(chart)
    session.flush()
    _audit(session, ctx, AuditAction.CHART_CREATE, chart, nodes=len(chart.payload["nodes"]))
    return chart


def update_chart(
    session: Session,
    ctx: RequestContext,
    number: str,
    chart_id: str,
    *,
    title: str | None,
    payload: Any,
    expected_version: int | None,
) -> SavedChart:
    """Replace a chart's payload (and title); ``expected_version`` must be the version read."""
    case = open_case(session, ctx, number, CasePermission.WRITE, "graph.chart_update").case
    chart = _chart(session, case, chart_id, lock=True)
    check_version("chart", chart_id, chart.version, expected_version)
    if title is not None:
        chart.title = _clean_title(title)
    chart.payload = clean_payload(payload)
    chart.updated_by = ctx.actor.username
    chart.updated_at = utcnow()
    session.flush()
    _audit(session, ctx, AuditAction.CHART_UPDATE, chart, nodes=len(chart.payload["nodes"]))
    return chart


def delete_chart(
    session: Session, ctx: RequestContext, number: str, chart_id: str, *, expected_version: int | None
) -> None:
    case = open_case(session, ctx, number, CasePermission.WRITE, "graph.chart_delete").case
    chart = _chart(session, case, chart_id, lock=True)
    check_version("chart", chart_id, chart.version, expected_version)
    _audit(session, ctx, AuditAction.CHART_DELETE, chart, nodes=len(chart.payload.get("nodes", [])))
    session.delete(chart)
    session.flush()


def list_charts(session: Session, ctx: RequestContext, number: str) -> list[SavedChart]:
    case = open_case(session, ctx, number, CasePermission.READ, "graph.chart_read").case
    charts = list(
        session.execute(
            select(SavedChart).where(SavedChart.case_id == case.id).order_by(SavedChart.updated_at.desc())
        ).scalars()
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.CHART_READ,
        object_type="graph_chart",
        case_id=case.id,
        detail={"returned": [chart.id for chart in charts]},
    )
    return charts


@dataclass(frozen=True)
class OpenedChart:
    chart: SavedChart
    elements: Subgraph
    """The chart's nodes as the case holds them now, and the edges among them."""
    positions: dict[str, tuple[float, float]]
    pinned: set[str]
    missing: list[str]
    """Node ids of the chart that are no longer in the case."""
    case_numbers: dict[str, str]


def open_chart(session: Session, ctx: RequestContext, number: str, chart_id: str) -> OpenedChart:
    """Read a chart with the current state of its nodes and the edges among them."""
    scope = open_scope(session, ctx, GraphTarget(number=number), "graph.chart_read")
    assert scope.case is not None
    chart = _chart(session, scope.case, chart_id)
    redirects = merge_redirects(session, scope.case.id)
    positions: dict[str, tuple[float, float]] = {}
    pinned: set[str] = set()
    missing: list[str] = []
    for item in chart.payload.get("nodes", []):
        key = redirects.get(item["id"], item["id"])
        if key not in scope.graph:
            missing.append(item["id"])
            continue
        positions.setdefault(key, (item["x"], item["y"]))
        if item.get("pinned"):
            pinned.add(key)
    # Every edge among the nodes comes back; the chart applies its saved filters when it draws them.
    keys = set(positions)
    nodes = [node for key in sorted(keys) if (node := scope.graph.node(key)) is not None]
    elements = Subgraph(nodes, scope.graph.edges_among(keys))
    _audit(session, ctx, AuditAction.CHART_READ, chart, returned_nodes=len(nodes), missing=len(missing))
    return OpenedChart(chart, elements, positions, pinned, missing, scope.case_numbers)

"""Graph queries for an actor: check access, build the graph of the cases read, query, audit.

Each function takes a ``GraphTarget`` (one case, or every visible case with a stated purpose)
and records one ``graph.query`` entry naming the query, its inputs, the cases read and the size
of the result. The result carries the number of every case read, so that callers can show
which case a node or an edge comes from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.core.errors import ValidationFailed
from casetrail.core.logging import get_logger
from casetrail.graph import analytics, queries
from casetrail.graph.analytics import CentralityOrder, CommunityMethod
from casetrail.graph.queries import Path, Subgraph
from casetrail.graph.scope import GraphFilters, GraphScope, GraphTarget, open_scope

log = get_logger(__name__)

T = TypeVar("T")

MAX_HOPS = 5
MAX_NODES = 10_000
MAX_PATH_LENGTH = 8
MAX_PATHS = 500
MAX_SET = 50
NO_FILTERS = GraphFilters()


@dataclass(frozen=True)
class GraphAnswer(Generic[T]):
    value: T
    case_numbers: dict[str, str]
    """Number of each case read, by case id."""


def _check_range(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ValidationFailed(
            f"{name} must be between {low} and {high}, got {value}", {name: "out of range"}
        )
    return value


def audit_key(key: str) -> str:
    """Return a node key as the audit trail stores it: entity ids as they are, values hashed.

    A value node's key contains the value itself (``phone:+442079460100``), which is case
    content. The audit trail keeps ``phone:sha256:`` and the SHA-256 of the key instead, so an
    auditor who has the number can recompute it.
    """
    prop_type, separator, _ = key.partition(":")
    if not separator:
        return key
    return f"{prop_type}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _audit(session: Session, ctx: RequestContext, scope: GraphScope, query: str, **detail: Any) -> None:
    record(
        session,
        ctx.audit_source,
        AuditAction.GRAPH_QUERY,
        object_type="graph",
        case_id=scope.case_id,
        detail={"query": query, "case_ids": sorted(scope.case_numbers), **detail},
    )
    log.info(
        "graph_query",
        query=query,
        actor_id=ctx.actor.user_id,
        case_count=len(scope.case_numbers),
        nodes=len(scope.graph),
        edges=scope.graph.edge_count,
    )


def neighbours(
    session: Session,
    ctx: RequestContext,
    target: GraphTarget,
    *,
    starts: list[str],
    hops: int = 1,
    filters: GraphFilters = NO_FILTERS,
    max_nodes: int = 500,
) -> GraphAnswer[Subgraph]:
    """Return the nodes within ``hops`` steps of the start entities, and the edges among them."""
    _check_range("hops", hops, 0, MAX_HOPS)
    _check_range("max_nodes", max_nodes, 1, MAX_NODES)
    _check_range("start entities", len(starts), 1, MAX_SET)
    node_filter, edge_filter = filters.node_filter(), filters.edge_filter()
    scope = open_scope(session, ctx, target, "graph.query")
    keys = [scope.require_node(key) for key in starts]
    found = queries.neighbourhood(
        scope.graph, keys, hops=hops, edge_filter=edge_filter, node_filter=node_filter, max_nodes=max_nodes
    )
    _audit(
        session,
        ctx,
        scope,
        "neighbours",
        starts=[audit_key(key) for key in keys],
        hops=hops,
        filters=filters.as_detail(),
        returned_nodes=len(found.nodes),
        returned_edges=len(found.edges),
    )
    return GraphAnswer(found, scope.case_numbers)


@dataclass(frozen=True)
class PathAnswer:
    paths: list[Path]
    subgraph: Subgraph
    """Every node and edge on the paths, for drawing them."""
    truncated: bool


def paths(
    session: Session,
    ctx: RequestContext,
    target: GraphTarget,
    *,
    source: str,
    to: str,
    shortest: bool = True,
    max_length: int = 6,
    limit: int = 10,
    filters: GraphFilters = NO_FILTERS,
) -> GraphAnswer[PathAnswer]:
    """Return the shortest paths, or all paths without repeated nodes, between two entities."""
    _check_range("max_length", max_length, 1, MAX_PATH_LENGTH)
    _check_range("limit", limit, 1, MAX_PATHS)
    node_filter, edge_filter = filters.node_filter(), filters.edge_filter()
    scope = open_scope(session, ctx, target, "graph.query")
    scope.require_node(source)
    scope.require_node(to)
    truncated = False
    if shortest:
        found = queries.shortest_paths(
            scope.graph, source, to, max_length=max_length, limit=limit,
            edge_filter=edge_filter, node_filter=node_filter,
        )  # fmt: skip
    else:
        found, truncated = queries.simple_paths(
            scope.graph, source, to, max_length=max_length, limit=limit,
            edge_filter=edge_filter, node_filter=node_filter,
        )  # fmt: skip
    _audit(
        session,
        ctx,
        scope,
        "shortest_paths" if shortest else "all_paths",
        source=audit_key(source),
        target=audit_key(to),
        max_length=max_length,
        filters=filters.as_detail(),
        returned_paths=len(found),
    )
    return GraphAnswer(PathAnswer(found, _path_subgraph(scope, found), truncated), scope.case_numbers)


def _path_subgraph(scope: GraphScope, found: list[Path]) -> Subgraph:
    keys = sorted({key for path in found for key in path.nodes})
    edges = {edge.key: edge for path in found for step in path.edges for edge in step}
    nodes = [node for key in keys if (node := scope.graph.node(key)) is not None]
    return Subgraph(nodes, sorted(edges.values(), key=lambda edge: edge.key))


def common_neighbours(
    session: Session,
    ctx: RequestContext,
    target: GraphTarget,
    *,
    keys: list[str],
    filters: GraphFilters = NO_FILTERS,
) -> GraphAnswer[list[queries.CommonNeighbour]]:
    """Return the nodes joined to every one of two or more entities."""
    _check_range("entities", len(keys), 2, MAX_SET)
    node_filter, edge_filter = filters.node_filter(), filters.edge_filter()
    scope = open_scope(session, ctx, target, "graph.query")
    for key in keys:
        scope.require_node(key)
    found = queries.common_neighbours(scope.graph, keys, edge_filter=edge_filter, node_filter=node_filter)
    _audit(
        session,
        ctx,
        scope,
        "common_neighbours",
        keys=[audit_key(key) for key in keys],
        filters=filters.as_detail(),
        returned_nodes=len(found),
    )
    return GraphAnswer(found, scope.case_numbers)


def centrality(
    session: Session,
    ctx: RequestContext,
    target: GraphTarget,
    *,
    order: CentralityOrder = CentralityOrder.DEGREE,
    with_betweenness: bool = True,
    limit: int = 50,
    filters: GraphFilters = NO_FILTERS,
) -> GraphAnswer[list[analytics.Centrality]]:
    """Rank nodes by degree or betweenness centrality."""
    _check_range("limit", limit, 1, MAX_NODES)
    node_filter, edge_filter = filters.node_filter(), filters.edge_filter()
    scope = open_scope(session, ctx, target, "graph.query")
    found = analytics.centrality(
        scope.graph, order=order, with_betweenness=with_betweenness, limit=limit,
        edge_filter=edge_filter, node_filter=node_filter,
    )  # fmt: skip
    _audit(
        session,
        ctx,
        scope,
        "centrality",
        order=order.value,
        filters=filters.as_detail(),
        returned_nodes=len(found),
    )
    return GraphAnswer(found, scope.case_numbers)


def communities(
    session: Session,
    ctx: RequestContext,
    target: GraphTarget,
    *,
    method: CommunityMethod = CommunityMethod.LOUVAIN,
    filters: GraphFilters = NO_FILTERS,
) -> GraphAnswer[analytics.Communities]:
    """Partition the graph into communities of densely linked nodes."""
    node_filter, edge_filter = filters.node_filter(), filters.edge_filter()
    scope = open_scope(session, ctx, target, "graph.query")
    found = analytics.communities(
        scope.graph, method=method, edge_filter=edge_filter, node_filter=node_filter
    )
    _audit(
        session,
        ctx,
        scope,
        "communities",
        method=method.value,
        filters=filters.as_detail(),
        returned_groups=len(found.groups),
    )
    return GraphAnswer(found, scope.case_numbers)


def timeline(
    session: Session,
    ctx: RequestContext,
    target: GraphTarget,
    *,
    limit: int = 1_000,
    filters: GraphFilters = NO_FILTERS,
) -> GraphAnswer[tuple[list[analytics.TimelineItem], bool]]:
    """List dated relationships, calls and events, oldest first."""
    _check_range("limit", limit, 1, MAX_NODES)
    node_filter, edge_filter = filters.node_filter(), filters.edge_filter()
    scope = open_scope(session, ctx, target, "graph.query")
    found = analytics.timeline(scope.graph, edge_filter=edge_filter, node_filter=node_filter, limit=limit)
    _audit(session, ctx, scope, "timeline", filters=filters.as_detail(), returned_items=len(found[0]))
    return GraphAnswer(found, scope.case_numbers)

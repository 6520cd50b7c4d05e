"""Whole-graph measures: degree and betweenness centrality, communities and the timeline.

Centrality and communities work on the simple undirected projection of the filtered graph:
one link per pair of joined nodes, weighted by the number of edges between them, self-loops
left out. Betweenness is normalised as networkx does for undirected graphs, so values
compare across graphs of different sizes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx
import rustworkx as rx

from casetrail.core.errors import ValidationFailed
from casetrail.graph.model import NO_EDGE_FILTER, NO_NODE_FILTER, EdgeFilter, LinkGraph, Node, NodeFilter

MAX_BETWEENNESS_NODES = 50_000
"""Betweenness costs nodes x edges; above this many nodes a query must narrow the graph first."""
COMMUNITY_SEED = 20_260_301
"""Fixed seed so that the same graph gives the same communities on every call."""


@dataclass(frozen=True)
class Projection:
    keys: list[str]
    pairs: Counter[tuple[int, int]]
    """Number of edges between two node positions in ``keys`` (lower position first)."""

    def to_rustworkx(self) -> rx.PyGraph[str, int]:
        simple: rx.PyGraph[str, int] = rx.PyGraph(multigraph=False)
        simple.add_nodes_from(self.keys)
        simple.add_edges_from([(left, right, count) for (left, right), count in self.pairs.items()])
        return simple

    def to_networkx(self) -> nx.Graph[str]:
        simple: nx.Graph[str] = nx.Graph()
        simple.add_nodes_from(self.keys)
        simple.add_weighted_edges_from(
            (self.keys[left], self.keys[right], count) for (left, right), count in self.pairs.items()
        )
        return simple


def project(
    graph: LinkGraph, edge_filter: EdgeFilter = NO_EDGE_FILTER, node_filter: NodeFilter = NO_NODE_FILTER
) -> Projection:
    keys = sorted(node.key for node in graph.nodes() if node_filter.allows(node))
    position = {key: number for number, key in enumerate(keys)}
    pairs: Counter[tuple[int, int]] = Counter()
    for edge in graph.edges():
        left = position.get(edge.source)
        right = position.get(edge.target)
        if left is None or right is None or left == right or not edge_filter.allows(edge):
            continue
        pairs[(min(left, right), max(left, right))] += 1
    return Projection(keys, pairs)


@dataclass(frozen=True)
class Centrality:
    node: Node
    degree: int
    """Number of distinct neighbours."""
    edge_count: int
    """Number of edges, parallel ones included (forty calls count forty)."""
    betweenness: float | None


class CentralityOrder(StrEnum):
    DEGREE = "degree"
    BETWEENNESS = "betweenness"


def centrality(
    graph: LinkGraph,
    *,
    order: CentralityOrder = CentralityOrder.DEGREE,
    with_betweenness: bool = True,
    limit: int = 50,
    edge_filter: EdgeFilter = NO_EDGE_FILTER,
    node_filter: NodeFilter = NO_NODE_FILTER,
) -> list[Centrality]:
    """Return the ``limit`` most central nodes by ``order``, ties broken by key."""
    projection = project(graph, edge_filter, node_filter)
    simple = projection.to_rustworkx()
    betweenness: dict[int, float] = {}
    wants_betweenness = with_betweenness or order == CentralityOrder.BETWEENNESS
    if wants_betweenness:
        if len(projection.keys) > MAX_BETWEENNESS_NODES:
            raise ValidationFailed(
                f"betweenness over {len(projection.keys)} nodes is too costly (at most "
                f"{MAX_BETWEENNESS_NODES}): narrow the graph by schema, relationship, date or case",
                {"betweenness": "graph too large"},
            )
        betweenness = dict(rx.graph_betweenness_centrality(simple, normalized=True))
    edge_counts: Counter[int] = Counter()
    for (left, right), count in projection.pairs.items():
        edge_counts[left] += count
        edge_counts[right] += count
    rows = []
    for position, key in enumerate(projection.keys):
        node = graph.node(key)
        assert node is not None
        score = betweenness.get(position) if wants_betweenness else None
        rows.append(Centrality(node, simple.degree(position), edge_counts[position], score))
    if order == CentralityOrder.BETWEENNESS:
        rows.sort(key=lambda row: (-(row.betweenness or 0.0), row.node.key))
    else:
        rows.sort(key=lambda row: (-row.degree, -row.edge_count, row.node.key))
    return rows[:limit]


class CommunityMethod(StrEnum):
    LOUVAIN = "louvain"
    GREEDY_MODULARITY = "greedy_modularity"
    LABEL_PROPAGATION = "label_propagation"


@dataclass(frozen=True)
class Communities:
    groups: list[list[Node]]
    """Largest first; each group sorted by key."""
    modularity: float


def communities(
    graph: LinkGraph,
    *,
    method: CommunityMethod = CommunityMethod.LOUVAIN,
    edge_filter: EdgeFilter = NO_EDGE_FILTER,
    node_filter: NodeFilter = NO_NODE_FILTER,
) -> Communities:
    """Partition the filtered graph into communities; isolated nodes form groups of one."""
    simple = project(graph, edge_filter, node_filter).to_networkx()
    found: list[set[str]]
    if method == CommunityMethod.GREEDY_MODULARITY:
        found = [set(group) for group in nx.community.greedy_modularity_communities(simple, weight="weight")]
    elif method == CommunityMethod.LABEL_PROPAGATION:
        found = [set(group) for group in nx.community.label_propagation_communities(simple)]
    else:
        found = nx.community.louvain_communities(simple, weight="weight", seed=COMMUNITY_SEED)
    score = nx.community.modularity(simple, found, weight="weight") if simple.number_of_edges() else 0.0
    groups = [[node for key in sorted(group) if (node := graph.node(key)) is not None] for group in found]
    groups.sort(key=lambda group: (-len(group), group[0].key if group else ""))
    return Communities(groups=groups, modularity=float(score))


@dataclass(frozen=True)
class TimelineItem:
    entity_id: str
    schema: str
    label: str
    start: str | None
    end: str | None
    case_id: str
    participants: list[str]
    """Node keys the relationship joins, or the dated entity's own key."""


def _in_range(start: str | None, end: str | None, edge_filter: EdgeFilter) -> bool:
    if edge_filter.date_to is not None and start is not None and start > edge_filter.date_to:
        return False
    return not (edge_filter.date_from is not None and end is not None and end < edge_filter.date_from)


def _edge_items(graph: LinkGraph, edge_filter: EdgeFilter, node_filter: NodeFilter) -> list[TimelineItem]:
    items: dict[tuple[str, str], TimelineItem] = {}
    for edge in graph.edges():
        # Property links (Passport.holder) and value links carry the dates of an entity that is
        # itself on the timeline, or of a call that is; listing them would repeat it.
        if "." in edge.relation or (edge.start is None and edge.end is None):
            continue
        if not edge_filter.allows(edge):
            continue
        ends = [graph.node(edge.source), graph.node(edge.target)]
        if not all(node is not None and node_filter.allows(node) for node in ends):
            continue
        item = items.get((edge.case_id, edge.entity_id))
        if item is None:
            item = TimelineItem(
                edge.entity_id, edge.relation, edge.label, edge.start, edge.end, edge.case_id, []
            )
            items[(edge.case_id, edge.entity_id)] = item
        for key in (edge.source, edge.target):
            if key not in item.participants:
                item.participants.append(key)
    return list(items.values())


def timeline(
    graph: LinkGraph,
    *,
    edge_filter: EdgeFilter = NO_EDGE_FILTER,
    node_filter: NodeFilter = NO_NODE_FILTER,
    limit: int = 1_000,
) -> tuple[list[TimelineItem], bool]:
    """Return dated relationships, calls and dated entities (Event, Passport), oldest first.

    The second value is True when more than ``limit`` items matched and the rest were left out.
    """
    items = _edge_items(graph, edge_filter, node_filter)
    for node in graph.nodes():
        if node.start is None and node.end is None:
            continue
        if not node_filter.allows(node) or not _in_range(node.start, node.end, edge_filter):
            continue
        if edge_filter.case_ids and not (node.case_ids & edge_filter.case_ids):
            continue
        case_id = min(node.case_ids) if node.case_ids else ""
        items.append(
            TimelineItem(node.key, node.schema, node.caption, node.start, node.end, case_id, [node.key])
        )
    items.sort(key=lambda item: (item.start or item.end or "", item.entity_id))
    return items[:limit], len(items) > limit

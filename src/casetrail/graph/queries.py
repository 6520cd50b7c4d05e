"""Queries over a ``LinkGraph``: neighbourhoods, paths and common neighbours.

Every query follows only edges that its ``EdgeFilter`` allows and reaches only nodes that its
``NodeFilter`` allows; the nodes it starts or ends at are always allowed. Results are sorted by
key so that the same graph and query give the same answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from casetrail.graph.model import (
    NO_EDGE_FILTER,
    NO_NODE_FILTER,
    Edge,
    EdgeFilter,
    LinkGraph,
    Node,
    NodeFilter,
)


@dataclass(frozen=True)
class Subgraph:
    nodes: list[Node]
    edges: list[Edge]
    depth: dict[str, int] = field(default_factory=dict)
    """Hops from the nearest start node, for neighbourhoods."""
    truncated: bool = False
    """True when ``max_nodes`` stopped the search before it was complete."""


@dataclass(frozen=True)
class Path:
    nodes: list[str]
    edges: list[list[Edge]]
    """For each step, every allowed edge between the two nodes (parallel calls, for example)."""

    @property
    def length(self) -> int:
        return len(self.nodes) - 1


@dataclass
class _Walker:
    """Adjacency of the filtered graph, computed lazily for the nodes a search touches."""

    graph: LinkGraph
    edge_filter: EdgeFilter
    node_filter: NodeFilter
    always: frozenset[str] = frozenset()
    _cache: dict[str, list[str]] = field(default_factory=dict)

    def allowed(self, key: str) -> bool:
        node = self.graph.node(key)
        return node is not None and (key in self.always or self.node_filter.allows(node))

    def neighbours(self, key: str) -> list[str]:
        cached = self._cache.get(key)
        if cached is None:
            found = {other for edge, other in self.graph.incident(key) if self.edge_filter.allows(edge)}
            found.discard(key)
            cached = sorted(other for other in found if self.allowed(other))
            self._cache[key] = cached
        return cached

    def edges_between(self, left: str, right: str) -> list[Edge]:
        edges = [e for e, other in self.graph.incident(left) if other == right and self.edge_filter.allows(e)]
        return sorted(edges, key=lambda edge: edge.key)


def neighbourhood(
    graph: LinkGraph,
    starts: list[str],
    *,
    hops: int,
    edge_filter: EdgeFilter = NO_EDGE_FILTER,
    node_filter: NodeFilter = NO_NODE_FILTER,
    max_nodes: int = 2_000,
) -> Subgraph:
    """Return the nodes within ``hops`` steps of ``starts`` and the allowed edges among them."""
    walker = _Walker(graph, edge_filter, node_filter, frozenset(starts))
    depth = {key: 0 for key in starts if key in graph}
    frontier = sorted(depth)
    truncated = False
    for level in range(1, hops + 1):
        reached: list[str] = []
        for key in frontier:
            for other in walker.neighbours(key):
                if other in depth:
                    continue
                if len(depth) >= max_nodes:
                    truncated = True
                    break
                depth[other] = level
                reached.append(other)
        frontier = reached
        if truncated or not frontier:
            break
    keys = set(depth)
    nodes = [node for key in sorted(keys) if (node := graph.node(key)) is not None]
    return Subgraph(nodes, graph.edges_among(keys, edge_filter), depth, truncated)


def _levels(walker: _Walker, source: str, target: str, max_length: int) -> dict[str, list[str]]:
    """Breadth-first search from ``source``; return every shortest-path predecessor per node."""
    predecessors: dict[str, list[str]] = {source: []}
    frontier = [source]
    for _ in range(max_length):
        if target in predecessors or not frontier:
            break
        reached: dict[str, list[str]] = {}
        for key in frontier:
            for other in walker.neighbours(key):
                if other not in predecessors:
                    reached.setdefault(other, []).append(key)
        predecessors.update(reached)
        frontier = sorted(reached)
    return predecessors


def _unwind(predecessors: dict[str, list[str]], target: str, limit: int) -> list[list[str]]:
    paths: list[list[str]] = []
    stack: list[list[str]] = [[target]]
    while stack and len(paths) < limit:
        partial = stack.pop()
        before = predecessors[partial[0]]
        if not before:
            paths.append(partial)
            continue
        stack.extend([previous, *partial] for previous in reversed(before))
    return paths


def _as_path(walker: _Walker, keys: list[str]) -> Path:
    steps = [walker.edges_between(left, right) for left, right in pairwise(keys)]
    return Path(nodes=keys, edges=steps)


def shortest_paths(
    graph: LinkGraph,
    source: str,
    target: str,
    *,
    max_length: int = 6,
    limit: int = 10,
    edge_filter: EdgeFilter = NO_EDGE_FILTER,
    node_filter: NodeFilter = NO_NODE_FILTER,
) -> list[Path]:
    """Return up to ``limit`` shortest paths of at most ``max_length`` steps; [] when none exists."""
    walker = _Walker(graph, edge_filter, node_filter, frozenset((source, target)))
    if source == target:
        return [Path(nodes=[source], edges=[])]
    predecessors = _levels(walker, source, target, max_length)
    if target not in predecessors:
        return []
    return [_as_path(walker, keys) for keys in _unwind(predecessors, target, limit)]


def _simple_paths(walker: _Walker, source: str, target: str, max_length: int) -> Iterator[list[str]]:
    path = [source]
    on_path = {source}
    stack = [iter(walker.neighbours(source))]
    while stack:
        following = next(stack[-1], None)
        if following is None:
            stack.pop()
            on_path.discard(path.pop())
            continue
        if following in on_path:
            continue
        if following == target:
            yield [*path, target]
            continue
        if len(path) < max_length:
            path.append(following)
            on_path.add(following)
            stack.append(iter(walker.neighbours(following)))


def simple_paths(
    graph: LinkGraph,
    source: str,
    target: str,
    *,
    max_length: int = 4,
    limit: int = 100,
    edge_filter: EdgeFilter = NO_EDGE_FILTER,
    node_filter: NodeFilter = NO_NODE_FILTER,
) -> tuple[list[Path], bool]:
    """Return paths without repeated nodes of at most ``max_length`` steps, shortest first.

    The second value is True when more than ``limit`` paths exist and the rest were left out.
    """
    walker = _Walker(graph, edge_filter, node_filter, frozenset((source, target)))
    found: list[list[str]] = []
    truncated = False
    for keys in _simple_paths(walker, source, target, max_length):
        if len(found) == limit:
            truncated = True
            break
        found.append(keys)
    found.sort(key=lambda keys: (len(keys), keys))
    return [_as_path(walker, keys) for keys in found], truncated


@dataclass(frozen=True)
class CommonNeighbour:
    node: Node
    edges: list[Edge]
    """The edges that join this node to the given nodes."""


def common_neighbours(
    graph: LinkGraph,
    keys: list[str],
    *,
    edge_filter: EdgeFilter = NO_EDGE_FILTER,
    node_filter: NodeFilter = NO_NODE_FILTER,
) -> list[CommonNeighbour]:
    """Return the nodes adjacent to every one of ``keys`` (the keys themselves excluded)."""
    walker = _Walker(graph, edge_filter, node_filter, frozenset(keys))
    shared: set[str] | None = None
    for key in keys:
        reached = set(walker.neighbours(key))
        shared = reached if shared is None else shared & reached
    result = []
    for other in sorted((shared or set()) - set(keys)):
        node = graph.node(other)
        if node is None or not node_filter.allows(node):
            continue
        edges = [edge for key in keys for edge in walker.edges_between(key, other)]
        result.append(CommonNeighbour(node, edges))
    return result

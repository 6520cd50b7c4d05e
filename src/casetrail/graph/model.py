"""The in-memory link graph: nodes, edges and their filters.

Nodes are entities (Person, Company, Vehicle, Passport, ...) and shared values (phone numbers,
e-mail addresses, identifiers, IBANs). A value node key is ``TYPE:VALUE``, such as
``phone:+15550100``; entity ids never contain ':', so the two kinds of key cannot collide.

Edges are relationship entities (FtM edge schemata such as Ownership, and Call), entity-typed
properties of other entities (Passport.holder, Vehicle.owner) and the use of a shared value
(Person.phone). The graph is an undirected rustworkx multigraph: each edge keeps its FtM
direction in ``directed`` and its endpoints in ``source``/``target``, parallel edges stay apart
(forty calls are forty edges), and the algorithms work on a simple projection of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import rustworkx as rx
from followthemoney import model

VALUE_TYPES = ("phone", "email", "identifier", "iban")
"""FtM property types whose values become nodes when entities share them."""


@dataclass(slots=True)
class Node:
    key: str
    schema: str
    """FtM schema name for entities; the property type (``phone``, ...) for value nodes."""
    caption: str
    case_ids: set[str] = field(default_factory=set)
    is_value: bool = False
    start: str | None = None
    end: str | None = None
    """Dates of a dated entity such as an Event, as ``YYYY-MM-DD`` bounds."""


@dataclass(slots=True)
class Edge:
    key: str
    """Unique in the graph: the relationship entity id, with a suffix when it makes several edges."""
    source: str
    target: str
    relation: str
    """``Ownership`` or ``Call`` for relationship entities, ``Passport.holder`` for properties."""
    label: str
    directed: bool
    case_id: str
    entity_id: str
    """The entity the edge comes from: the relationship, or the entity holding the property."""
    start: str | None = None
    end: str | None = None


def schema_matches(node_schema: str, wanted: frozenset[str]) -> bool:
    """Return True when ``node_schema`` is one of ``wanted`` or descends from one of them."""
    if node_schema in wanted:
        return True
    schema = model.get(node_schema)
    return schema is not None and any(schema.is_a(name) for name in wanted if model.get(name) is not None)


@dataclass(frozen=True)
class EdgeFilter:
    """Which edges a query may follow. Empty sets mean no restriction.

    Dates are ``YYYY-MM-DD`` strings compared as text. An edge is inside the range when its
    own period overlaps it; an edge without dates is inside only with ``include_undated``.
    """

    relations: frozenset[str] = frozenset()
    case_ids: frozenset[str] = frozenset()
    date_from: str | None = None
    date_to: str | None = None
    include_undated: bool = True

    def _relation_allowed(self, relation: str) -> bool:
        # "Passport" also allows the property edges "Passport.holder" and the like.
        return relation in self.relations or relation.partition(".")[0] in self.relations

    @property
    def dated(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def allows(self, edge: Edge) -> bool:
        if self.relations and not self._relation_allowed(edge.relation):
            return False
        if self.case_ids and edge.case_id not in self.case_ids:
            return False
        if not self.dated:
            return True
        if edge.start is None and edge.end is None:
            return self.include_undated
        if self.date_to is not None and edge.start is not None and edge.start > self.date_to:
            return False
        return not (self.date_from is not None and edge.end is not None and edge.end < self.date_from)


@dataclass(frozen=True)
class NodeFilter:
    """Which nodes a query may reach besides its start nodes. An empty set allows every node."""

    schemata: frozenset[str] = frozenset()

    def allows(self, node: Node) -> bool:
        return not self.schemata or schema_matches(node.schema, self.schemata)


NO_EDGE_FILTER = EdgeFilter()
NO_NODE_FILTER = NodeFilter()


class LinkGraph:
    """Nodes and edges of the entities of one or more cases, indexed by key."""

    def __init__(self) -> None:
        self._graph: rx.PyGraph[Node, Edge] = rx.PyGraph(multigraph=True)
        self._index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    @property
    def edge_count(self) -> int:
        return self._graph.num_edges()

    def add_node(self, node: Node) -> Node:
        """Add ``node``, or merge its cases into the node already stored under its key."""
        index = self._index.get(node.key)
        if index is not None:
            stored = self._graph[index]
            stored.case_ids |= node.case_ids
            return stored
        self._index[node.key] = self._graph.add_node(node)
        return node

    def add_edges(self, edges: Iterable[Edge]) -> int:
        """Add the edges whose two endpoints are nodes; return how many were left out."""
        rows = []
        dropped = 0
        for edge in edges:
            source = self._index.get(edge.source)
            target = self._index.get(edge.target)
            if source is None or target is None:
                dropped += 1
                continue
            rows.append((source, target, edge))
        self._graph.add_edges_from(rows)
        return dropped

    def node(self, key: str) -> Node | None:
        index = self._index.get(key)
        return None if index is None else self._graph[index]

    def nodes(self) -> Iterator[Node]:
        return iter(self._graph.nodes())

    def edges(self) -> Iterator[Edge]:
        return iter(self._graph.edges())

    def incident(self, key: str) -> Iterator[tuple[Edge, str]]:
        """Yield each edge at node ``key`` with the key of the node at its other end."""
        index = self._index.get(key)
        if index is None:
            return
        for source, target, edge in self._graph.incident_edge_index_map(index).values():
            other = target if source == index else source
            yield edge, self._graph[other].key

    def edges_among(self, keys: set[str], edge_filter: EdgeFilter = NO_EDGE_FILTER) -> list[Edge]:
        """Return the edges, allowed by ``edge_filter``, whose two endpoints are in ``keys``."""
        found: dict[str, Edge] = {}
        for key in keys:
            for edge, other in self.incident(key):
                if other in keys and edge_filter.allows(edge):
                    found[edge.key] = edge
        return sorted(found.values(), key=lambda edge: edge.key)

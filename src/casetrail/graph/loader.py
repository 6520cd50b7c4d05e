"""Reading the rows of a link graph from the database in one streamed query per build.

Built graphs are kept in a small per-process cache, keyed by each case's newest outbox event.
Every change to a case's entities, statements or merges emits an outbox event with a higher
sequence number in the same transaction, so a committed change always leads to a rebuild. The
cache contains derived data only: each worker process builds its own copy, and access is checked
before the cache is read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from casetrail.core.logging import get_logger
from casetrail.db.outbox import OutboxEvent
from casetrail.entities.models import CaseEntity, Statement
from casetrail.entities.statements import merge_redirects
from casetrail.graph.builder import DATE_PROPS, LABEL_PROPS, BuildReport, GraphRow, build_graph
from casetrail.graph.model import VALUE_TYPES, LinkGraph

log = get_logger(__name__)

_YIELD_PER = 10_000
CACHE_MAX_EDGES = 2_000_000
"""Edges kept in the cache of one process, all graphs together.

NOTE: an estimate of about 1.2 GiB. bench/graph_neighbourhood.py peaked at 806 MiB of resident
memory for the whole process after building one graph of 1,000,000 edges and 200,000 nodes.
Lower it for workers with little memory.
"""

CacheKey = tuple[tuple[str, int], ...]


def graph_rows(session: Session, case_ids: Sequence[str]) -> Iterator[GraphRow]:
    """Yield every live entity of the cases with its graph-relevant statements, grouped by entity.

    An entity with no such statement (a Person known only by name) comes as one row with
    ``prop`` None, so that it is still a node. Merged-away entities are left out: their
    statements now belong to the winner.
    """
    relevant = or_(
        Statement.prop_type.in_(("entity", *VALUE_TYPES)),
        Statement.prop.in_((*DATE_PROPS, *LABEL_PROPS)),
    )
    joined = and_(
        Statement.case_id == CaseEntity.case_id,
        Statement.canonical_id == CaseEntity.entity_id,
        Statement.retracted_at.is_(None),
        relevant,
    )
    query = (
        select(
            CaseEntity.case_id,
            CaseEntity.entity_id,
            CaseEntity.schema,
            CaseEntity.caption,
            Statement.prop,
            Statement.prop_type,
            Statement.value,
        )
        .select_from(CaseEntity)
        .outerjoin(Statement, joined)
        .where(CaseEntity.case_id.in_(case_ids), CaseEntity.merged_into.is_(None))
        .order_by(CaseEntity.case_id, CaseEntity.entity_id)
        .execution_options(stream_results=True, yield_per=_YIELD_PER)
    )
    # Core rows, not ORM loading: the ORM's per-row bookkeeping costs about seven times as much
    # as the query itself for a graph of 100,000 edges (measured with bench/graph_neighbourhood.py).
    for row in session.connection().execute(query):
        yield GraphRow._make(row)


def build_from_database(session: Session, case_ids: Sequence[str]) -> tuple[LinkGraph, BuildReport]:
    """Build the link graph of the given cases from their statements, without the cache."""
    redirects = {case_id: merge_redirects(session, case_id) for case_id in case_ids}
    return build_graph(graph_rows(session, case_ids), redirects)


class GraphCache:
    """Least recently used graphs, bounded by their total number of edges."""

    def __init__(self, max_edges: int) -> None:
        self.max_edges = max_edges
        self._graphs: OrderedDict[CacheKey, LinkGraph] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> LinkGraph | None:
        with self._lock:
            graph = self._graphs.get(key)
            if graph is not None:
                self._graphs.move_to_end(key)
            return graph

    def put(self, key: CacheKey, graph: LinkGraph) -> None:
        if graph.edge_count > self.max_edges:
            return
        with self._lock:
            self._graphs[key] = graph
            self._graphs.move_to_end(key)
            while sum(stored.edge_count for stored in self._graphs.values()) > self.max_edges:
                self._graphs.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._graphs.clear()


_cache = GraphCache(CACHE_MAX_EDGES)


def _cache_key(session: Session, case_ids: Sequence[str]) -> CacheKey:
    newest = dict(
        session.execute(
            select(OutboxEvent.case_id, func.max(OutboxEvent.seq))
            .where(OutboxEvent.case_id.in_(case_ids))
            .group_by(OutboxEvent.case_id)
        ).all()
    )
    return tuple(sorted((case_id, int(newest.get(case_id) or 0)) for case_id in case_ids))


def load_graph(session: Session, case_ids: Sequence[str]) -> LinkGraph:
    """Return the link graph of the given cases. The caller has checked that the actor may read them.

    NOTE: a change made earlier in the caller's own transaction has no outbox sequence number
    until it commits, so a graph read after it in the same transaction may not show it.
    """
    key = _cache_key(session, case_ids)
    graph = _cache.get(key)
    if graph is not None:
        return graph
    graph, report = build_from_database(session, case_ids)
    _cache.put(key, graph)
    log.info(
        "graph_built",
        case_count=len(case_ids),
        nodes=report.nodes,
        edges=report.edges,
        dropped_edges=report.dropped_edges,
    )
    return graph

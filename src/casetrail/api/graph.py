"""Link analysis over one case (/cases/{number}/graph/...) or every case the caller may see (/graph/...).

Both prefixes serve the same queries. Queries across cases need a stated purpose, sent in
the X-Casetrail-Purpose header or the ``purpose`` parameter; the audit trail keeps it with the
query. The repeatable ``case`` parameter narrows a cross-case query to some of those cases.
"""

# No ``from __future__ import annotations`` here: the routes are defined inside a function, and
# FastAPI can resolve their annotations (the local ``Target`` alias) only if they are evaluated.

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from casetrail.api.graph_charts import router as charts_router
from casetrail.api.graph_out import EXPORT_RESPONSES, edge_out, elements_out, export_response, node_out
from casetrail.api.openapi import error_responses
from casetrail.api.schemas.graph import (
    CentralityOut,
    CentralityPage,
    CommonNeighbourOut,
    CommonNeighboursOut,
    CommunitiesOut,
    CommunityOut,
    GraphElements,
    PathOut,
    PathsOut,
    TimelineItemOut,
    TimelineOut,
)
from casetrail.graph import downloads, service
from casetrail.graph.analytics import CentralityOrder, CommunityMethod
from casetrail.graph.exports import ExportFormat
from casetrail.graph.scope import GraphFilters, GraphTarget
from casetrail.http.deps import Ctx, DbSession


def graph_filters(
    schema: Annotated[
        list[str], Query(description="Reach only nodes of these schemata (or descendants), e.g. Person.")
    ] = [],  # noqa: B006 - FastAPI copies a list default per request
    relation: Annotated[
        list[str], Query(description="Follow only these relationships: Ownership, Call, Passport.holder, ...")
    ] = [],  # noqa: B006 - FastAPI copies a list default per request
    date_from: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
    undated: Annotated[
        bool, Query(description="With a date range: also follow edges that have no date.")
    ] = True,
) -> GraphFilters:
    return GraphFilters(
        schemata=schema, relations=relation, date_from=date_from, date_to=date_to, include_undated=undated
    )


def case_target(number: str) -> GraphTarget:
    return GraphTarget(number=number)


def cross_case_target(
    case: Annotated[
        list[str], Query(description="Read only these cases; every visible case when left out.")
    ] = [],  # noqa: B006
) -> GraphTarget:
    return GraphTarget(number=None, cases=tuple(case))


Filters = Annotated[GraphFilters, Depends(graph_filters)]
EntityIds = Annotated[list[str], Query(min_length=1, max_length=50, description="Entity or value node ids.")]


def _query_router(prefix: str, target_of: Callable[..., GraphTarget], tag: str) -> APIRouter:
    """Build the query routes once for each prefix; ``target_of`` returns the cases they read."""
    router = APIRouter(prefix=prefix, tags=[tag], responses=error_responses(404))
    Target = Annotated[GraphTarget, Depends(target_of)]  # noqa: N806 - a type alias local to the routes

    @router.get("/neighbours")
    def neighbours(
        *,
        target: Target,
        session: DbSession,
        ctx: Ctx,
        entity: EntityIds,
        filters: Filters,
        hops: Annotated[int, Query(ge=0, le=service.MAX_HOPS)] = 1,
        max_nodes: Annotated[int, Query(ge=1, le=service.MAX_NODES)] = 500,
    ) -> GraphElements:
        """Return the entities within ``hops`` steps of the given ones, and the edges among them."""
        answer = service.neighbours(
            session, ctx, target, starts=entity, hops=hops, filters=filters, max_nodes=max_nodes
        )
        return elements_out(answer.value, answer.case_numbers)

    @router.get("/paths")
    def paths(
        *,
        target: Target,
        session: DbSession,
        ctx: Ctx,
        source: Annotated[str, Query(min_length=1)],
        to: Annotated[str, Query(min_length=1, description="The entity at the other end.")],
        filters: Filters,
        all_paths: Annotated[
            bool, Query(description="Every path without repeated nodes instead of the shortest ones.")
        ] = False,
        max_length: Annotated[int, Query(ge=1, le=service.MAX_PATH_LENGTH)] = 6,
        limit: Annotated[int, Query(ge=1, le=service.MAX_PATHS)] = 10,
    ) -> PathsOut:
        """Return the shortest paths, or all simple paths up to ``max_length``, between two entities."""
        answer = service.paths(
            session, ctx, target, source=source, to=to, shortest=not all_paths,
            max_length=max_length, limit=limit, filters=filters,
        )  # fmt: skip
        found = answer.value
        return PathsOut(
            paths=[
                PathOut(nodes=p.nodes, edges=[[e.key for e in step] for step in p.edges], length=p.length)
                for p in found.paths
            ],
            elements=elements_out(found.subgraph, answer.case_numbers),
            truncated=found.truncated,
        )

    @router.get("/common")
    def common(
        *, target: Target, session: DbSession, ctx: Ctx, entity: EntityIds, filters: Filters
    ) -> CommonNeighboursOut:
        """Return the nodes joined to every one of two or more entities."""
        answer = service.common_neighbours(session, ctx, target, keys=entity, filters=filters)
        numbers = answer.case_numbers
        return CommonNeighboursOut(
            items=[
                CommonNeighbourOut(
                    node=node_out(item.node, numbers), edges=[edge_out(e, numbers) for e in item.edges]
                )
                for item in answer.value
            ]
        )

    @router.get("/centrality")
    def centrality(
        *,
        target: Target,
        session: DbSession,
        ctx: Ctx,
        filters: Filters,
        order: CentralityOrder = CentralityOrder.DEGREE,
        betweenness: Annotated[bool, Query(description="Also compute betweenness (slower).")] = True,
        limit: Annotated[int, Query(ge=1, le=service.MAX_NODES)] = 50,
    ) -> CentralityPage:
        """Rank nodes by degree or by betweenness centrality."""
        answer = service.centrality(
            session, ctx, target, order=order, with_betweenness=betweenness, limit=limit, filters=filters
        )
        return CentralityPage(
            items=[
                CentralityOut(
                    node=node_out(row.node, answer.case_numbers),
                    degree=row.degree,
                    edge_count=row.edge_count,
                    betweenness=row.betweenness,
                )
                for row in answer.value
            ]
        )

    @router.get("/communities")
    def communities(
        *,
        target: Target,
        session: DbSession,
        ctx: Ctx,
        filters: Filters,
        method: CommunityMethod = CommunityMethod.LOUVAIN,
    ) -> CommunitiesOut:
        """Partition the graph into communities of densely linked nodes."""
        answer = service.communities(session, ctx, target, method=method, filters=filters)
        return CommunitiesOut(
            modularity=answer.value.modularity,
            groups=[
                CommunityOut(size=len(group), nodes=[node_out(n, answer.case_numbers) for n in group])
                for group in answer.value.groups
            ],
        )

    @router.get("/timeline")
    def timeline(
        *,
        target: Target,
        session: DbSession,
        ctx: Ctx,
        filters: Filters,
        limit: Annotated[int, Query(ge=1, le=service.MAX_NODES)] = 1_000,
    ) -> TimelineOut:
        """List dated relationships, calls and dated entities such as events, oldest first."""
        answer = service.timeline(session, ctx, target, limit=limit, filters=filters)
        items, truncated = answer.value
        return TimelineOut(
            items=[
                TimelineItemOut.model_validate(
                    {
                        "entity_id": item.entity_id,
                        "schema": item.schema,
                        "label": item.label,
                        "start": item.start,
                        "end": item.end,
                        "case": answer.case_numbers.get(item.case_id, ""),
                        "participants": item.participants,
                    }
                )
                for item in items
            ],
            truncated=truncated,
        )

    @router.get("/export", response_class=Response, responses=EXPORT_RESPONSES)
    def export(
        *, target: Target, session: DbSession, ctx: Ctx, filters: Filters, format: ExportFormat
    ) -> Response:
        """Download the graph as GraphML, GEXF or i2 Analyst's Notebook exchange XML (ANX)."""
        return export_response(downloads.export_graph(session, ctx, target, format, filters=filters))

    return router


case_router = _query_router("/cases/{number}/graph", case_target, "graph")
cross_case_router = _query_router("/graph", cross_case_target, "graph across cases")

ROUTERS = (case_router, charts_router, cross_case_router)

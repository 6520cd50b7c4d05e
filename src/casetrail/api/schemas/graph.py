"""Link analysis: graph elements, paths, centrality, communities, timelines and saved charts.

A node ``id`` is an entity id, or ``TYPE:VALUE`` for a value shared by several entities (for
example ``phone:+442079460100``). Dates are ``YYYY-MM-DD`` bounds: a relationship dated only
"2019-05" starts on 2019-05-01; a missing ``end`` means it still holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from casetrail.api.schemas.common import ExpectedVersion


class GraphNodeOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_alias=True, validate_by_name=True)

    id: str
    schema_name: str = Field(alias="schema", description="FtM schema, or phone/email/identifier/iban.")
    caption: str
    kind: str = Field(description="entity, or value for a shared phone, e-mail, identifier or IBAN.")
    cases: list[str] = Field(description="Numbers of the cases, among those read, that hold the node.")
    start: str | None = None
    end: str | None = None


class GraphEdgeOut(BaseModel):
    id: str
    source: str
    target: str
    relation: str = Field(
        description="Relationship schema (Ownership, Call, ...) or Schema.property (Passport.holder)."
    )
    label: str
    directed: bool
    entity_id: str = Field(description="The relationship entity, or the entity that has the property.")
    case: str = Field(description="Number of the case the edge comes from.")
    start: str | None = None
    end: str | None = None


class GraphElements(BaseModel):
    nodes: list[GraphNodeOut]
    edges: list[GraphEdgeOut]
    depth: dict[str, int] = Field(
        default_factory=dict, description="Hops from the nearest start entity, for neighbourhoods."
    )
    truncated: bool = Field(
        default=False, description="True when max_nodes stopped the search before it was complete."
    )


class PathOut(BaseModel):
    nodes: list[str]
    edges: list[list[str]] = Field(description="For each step, the ids of every edge between the two nodes.")
    length: int


class PathsOut(BaseModel):
    paths: list[PathOut]
    elements: GraphElements = Field(description="Every node and edge on the paths.")
    truncated: bool


class CommonNeighbourOut(BaseModel):
    node: GraphNodeOut
    edges: list[GraphEdgeOut]


class CommonNeighboursOut(BaseModel):
    items: list[CommonNeighbourOut]


class CentralityOut(BaseModel):
    node: GraphNodeOut
    degree: int = Field(description="Number of distinct neighbours.")
    edge_count: int = Field(description="Number of edges, parallel ones included.")
    betweenness: float | None = Field(
        description="Normalised betweenness centrality, as networkx defines it."
    )


class CentralityPage(BaseModel):
    items: list[CentralityOut]


class CommunityOut(BaseModel):
    size: int
    nodes: list[GraphNodeOut]


class CommunitiesOut(BaseModel):
    modularity: float
    groups: list[CommunityOut] = Field(description="Largest first.")


class TimelineItemOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_alias=True, validate_by_name=True)

    entity_id: str
    schema_name: str = Field(alias="schema")
    label: str
    start: str | None
    end: str | None
    case: str
    participants: list[str]


class TimelineOut(BaseModel):
    items: list[TimelineItemOut]
    truncated: bool


class ChartNodeIn(BaseModel):
    id: str = Field(min_length=1, max_length=400)
    x: float = 0.0
    y: float = 0.0
    pinned: bool = False


class ChartFiltersIn(BaseModel):
    schemata: list[str] = Field(default_factory=list, max_length=50)
    relations: list[str] = Field(default_factory=list, max_length=50)
    date_from: str | None = Field(default=None, examples=["2026-01"])
    date_to: str | None = None


class ChartPayload(BaseModel):
    """Stored form of a chart: its nodes with positions and pins, the filters and the layout."""

    nodes: list[ChartNodeIn] = Field(default_factory=list, max_length=5_000)
    filters: ChartFiltersIn = Field(default_factory=ChartFiltersIn)
    layout: str = Field(
        default="preset", description="cose, breadthfirst, circle, concentric, grid or preset."
    )


class ChartCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    payload: ChartPayload


class ChartUpdate(ExpectedVersion):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    payload: ChartPayload


class ChartSummary(BaseModel):
    id: str
    title: str
    nodes: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    version: int


class ChartDetail(ChartSummary):
    payload: dict[str, Any]
    elements: GraphElements = Field(
        description="The chart's nodes as they are in the case now, and the edges among them."
    )
    missing: list[str] = Field(description="Node ids of the chart that are no longer in the case.")

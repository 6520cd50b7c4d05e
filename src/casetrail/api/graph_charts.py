"""Saved link charts of a case: nodes, positions, pins, filters and layout, reopened as the case is now."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from casetrail.api import graph_out
from casetrail.api.openapi import error_responses
from casetrail.api.schemas.graph import ChartCreate, ChartDetail, ChartSummary, ChartUpdate
from casetrail.graph import charts, downloads
from casetrail.graph.charts import OpenedChart
from casetrail.graph.exports import ExportFormat
from casetrail.graph.models import SavedChart
from casetrail.http.deps import Ctx, DbSession

router = APIRouter(
    prefix="/cases/{number}/graph/charts", tags=["link charts"], responses=error_responses(404)
)


def _summary(chart: SavedChart) -> ChartSummary:
    return ChartSummary(
        id=chart.id,
        title=chart.title,
        nodes=len(chart.payload.get("nodes", [])),
        created_by=chart.created_by,
        created_at=chart.created_at,
        updated_by=chart.updated_by,
        updated_at=chart.updated_at,
        version=chart.version,
    )


def _detail(opened: OpenedChart) -> ChartDetail:
    numbers: Mapping[str, str] = opened.case_numbers
    return ChartDetail(
        **_summary(opened.chart).model_dump(),
        payload=opened.chart.payload,
        elements=graph_out.elements_out(opened.elements, numbers),
        missing=opened.missing,
    )


@router.get("")
def list_charts(number: str, session: DbSession, ctx: Ctx) -> list[ChartSummary]:
    """List the charts saved to the case, most recently changed first."""
    return [_summary(chart) for chart in charts.list_charts(session, ctx, number)]


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(403))
def create_chart(number: str, body: ChartCreate, session: DbSession, ctx: Ctx) -> ChartDetail:
    """Save a chart to the case (members who may change the case)."""
    chart = charts.create_chart(session, ctx, number, title=body.title, payload=body.payload.model_dump())
    return _detail(charts.open_chart(session, ctx, number, chart.id))


@router.get("/{chart_id}")
def open_chart(number: str, chart_id: str, session: DbSession, ctx: Ctx) -> ChartDetail:
    """Open a chart: its stored layout with its nodes and edges as they are in the case now."""
    return _detail(charts.open_chart(session, ctx, number, chart_id))


@router.put("/{chart_id}", responses=error_responses(403, 409))
def update_chart(number: str, chart_id: str, body: ChartUpdate, session: DbSession, ctx: Ctx) -> ChartDetail:
    """Replace a chart's nodes, positions, filters and layout, and optionally its title."""
    charts.update_chart(
        session, ctx, number, chart_id,
        title=body.title, payload=body.payload.model_dump(), expected_version=body.expected_version,
    )  # fmt: skip
    return _detail(charts.open_chart(session, ctx, number, chart_id))


@router.delete("/{chart_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403, 409))
def delete_chart(
    number: str,
    chart_id: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: Annotated[int, Query(ge=1, description="The version of the chart you read.")],
) -> None:
    """Delete a chart."""
    charts.delete_chart(session, ctx, number, chart_id, expected_version=expected_version)


@router.get("/{chart_id}/export", response_class=Response, responses=graph_out.EXPORT_RESPONSES)
def export_chart(number: str, chart_id: str, format: ExportFormat, session: DbSession, ctx: Ctx) -> Response:
    """Download the chart, with its positions, as GraphML, GEXF or ANX."""
    return graph_out.export_response(downloads.export_chart(session, ctx, number, chart_id, format))

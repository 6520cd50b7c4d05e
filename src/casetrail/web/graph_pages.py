"""The link chart of a case: a Cytoscape.js page that reads and saves through the JSON API.

The page itself contains no case content beyond the case header and the list of saved charts;
the script in ``static/graph.js`` fetches nodes and edges from ``/api/v1/cases/{number}/graph``
with the session cookie, and sends the CSRF token from the page's meta tag when it saves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from casetrail.cases import service as case_service
from casetrail.graph import charts
from casetrail.graph.charts import LAYOUTS
from casetrail.graph.exports import ExportFormat
from casetrail.http.deps import Ctx, DbSession
from casetrail.web.case_view import case_banner
from casetrail.web.templating import render

router = APIRouter()


@router.get("/cases/{number}/chart")
def link_chart(
    *,
    request: Request,
    number: str,
    session: DbSession,
    ctx: Ctx,
    chart: Annotated[str, Query(max_length=36, description="Id of a saved chart to open.")] = "",
) -> HTMLResponse:
    access = case_service.get_case(session, ctx, number)
    saved = charts.list_charts(session, ctx, number)
    opened = next((item for item in saved if item.id == chart), None)
    return render(
        request,
        "graph.html",
        {
            **case_banner(access),
            "charts": saved,
            "opened": opened,
            "layouts": [layout for layout in LAYOUTS if layout != "preset"],
            "export_formats": list(ExportFormat),
        },
    )

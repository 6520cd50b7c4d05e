"""HTML error pages for browser requests."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse


def wants_html(request: Request) -> bool:
    if request.url.path.startswith(("/api/", "/healthz")):
        return False
    return "text/html" in request.headers.get("accept", "")


def html_error(request: Request, error: BaseException) -> HTMLResponse:
    return HTMLResponse("<h1>Error</h1>", status_code=500)

"""Jinja2 rendering for the web UI: one environment, the page header data and security headers.

Templates are rendered inside the request's transaction, so lazy attributes of the records
they show still load. Autoescaping is always on, and an undefined name in a template raises
instead of printing nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from casetrail.auth.context import RequestContext
from casetrail.http.deps import CurrentIdentity
from casetrail.web.flash import clear_flash, pop_flash

TEMPLATE_DIR = Path(__file__).parent / "templates"

# The templates contain no inline script or style, so the policy forbids both. Forms post only here.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Viewer:
    """The logged-in user as the page header shows them."""

    username: str
    display_name: str
    role: str
    csrf_token: str


def format_datetime(value: datetime | None) -> str:
    """Format a stored UTC timestamp to the minute, e.g. ``2026-03-01 14:05 UTC``."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M UTC")


def format_date(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def query_string(params: Mapping[str, Any], **changes: Any) -> str:
    """Return ``?a=1&b=2`` from ``params`` updated with ``changes``, leaving out empty values."""
    merged = {**params, **changes}
    non_empty = {key: value for key, value in merged.items() if value not in (None, "", 0)}
    return "?" + urlencode(non_empty, doseq=True) if non_empty else "?"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["datetime"] = format_datetime
    env.filters["date"] = format_date
    env.globals["query_string"] = query_string
    return env


templates = Jinja2Templates(env=_environment())


def viewer_for(request: Request) -> Viewer | None:
    """Return the header data of the caller, or None for anonymous pages and error pages.

    Error pages are rendered after the transaction rolled back, when the user record may no
    longer load, so they fall back to the request context, which contains plain values.
    """
    identity = getattr(request.state, "identity", None)
    ctx: RequestContext | None = getattr(request.state, "ctx", None)
    if identity is None or ctx is None or ctx.actor.user_id is None:
        return None
    return Viewer(
        username=ctx.actor.username,
        display_name=getattr(request.state, "display_name", ctx.actor.username),
        role=str(ctx.actor.role or ""),
        csrf_token=identity.csrf_token or "",
    )


def remember_viewer(request: Request, identity: CurrentIdentity) -> None:
    """Copy the user's display name to plain request state while the user record is loaded.

    Every web route depends on this, so that error pages rendered after a rollback can still
    show who is logged in.
    """
    if identity.user is not None:
        request.state.display_name = identity.user.display_name


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render template ``name`` with the header data, flash messages and security headers."""
    page: dict[str, Any] = {
        "viewer": viewer_for(request),
        "flash": pop_flash(request),
        "current_path": request.url.path,
    }
    page.update(context or {})
    response = templates.TemplateResponse(request, name, page, status_code=status_code)
    add_security_headers(response)
    if page["flash"]:
        clear_flash(response)
    return response


def add_security_headers(response: HTMLResponse) -> None:
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)

"""HTML error pages for browser requests.

- 401: redirect to the login form, which returns to the page afterwards.
- 404: one page for missing and hidden objects alike, without the request id, so that a
  user cannot tell a case they may not see from a case that does not exist.
- 403, 409 and 422: the service's message, the invalid fields and a link back to the form.
- 500: only the request id, which identifies the error in the server log.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from casetrail.core.errors import AuthenticationFailed
from casetrail.http.deps import request_id_for
from casetrail.http.errors import describe, status_for
from casetrail.web.templating import render

_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "The change was not saved",
    422: "The form has errors",
    429: "Too many requests",
}


@dataclass(frozen=True)
class ErrorPage:
    status: int
    title: str
    message: str
    fields: dict[str, str]
    request_id: str | None


def wants_html(request: Request) -> bool:
    if request.url.path.startswith(("/api/", "/healthz")):
        return False
    return "text/html" in request.headers.get("accept", "")


def html_error(request: Request, error: BaseException) -> Response:
    if isinstance(error, AuthenticationFailed):
        return login_redirect(request)
    page = describe_for_page(request, error)
    # A rejected form gets a link back to it, and the browser keeps what the user typed there.
    form_rejected = request.method == "POST" and page.status in (403, 409, 422)
    context = {"error": page, "back_url": back_url(request) if form_rejected else None}
    response = render(request, "error.html", context, status_code=page.status)
    # Unexpected errors are handled outside the request-logging middleware, which sets this
    # header on every other response.
    response.headers["X-Request-ID"] = request_id_for(request)
    return response


def describe_for_page(request: Request, error: BaseException) -> ErrorPage:
    if isinstance(error, RequestValidationError):
        return ErrorPage(422, _TITLES[422], "Some fields are missing or invalid.", _fields_of(error), None)
    if isinstance(error, StarletteHTTPException):
        status = error.status_code
        message = "There is no such page." if status == 404 else str(error.detail)
        return _page(request, status, message, {})
    _code, message, fields = describe(error)
    return _page(request, status_for(error), message, fields)


def _page(request: Request, status: int, message: str, fields: dict[str, str]) -> ErrorPage:
    if status >= 500:
        return ErrorPage(
            status,
            "Something went wrong",
            "The server could not complete the request. Quote the request id below when you report it.",
            {},
            request_id_for(request),
        )
    title = _TITLES.get(status, "Request failed")
    if status == 404:
        # The same words for a hidden object and a missing one: see the module docstring.
        return ErrorPage(404, title, _sentence(message), {}, None)
    return ErrorPage(status, title, _sentence(message), fields, None)


def _sentence(message: str) -> str:
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def _fields_of(error: RequestValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in error.errors():
        location = ".".join(str(part) for part in item.get("loc", ()) if part not in ("body", "query"))
        fields[location or "request"] = str(item.get("msg", "invalid"))
    return fields


def login_redirect(request: Request) -> RedirectResponse:
    """Send the browser to the login form with the page to return to after logging in."""
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET":
        # After login the browser can only return to a page, not re-send the form.
        target = back_url(request)
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def back_url(request: Request) -> str:
    """Return the same-site page the request came from (Referer), or the case list."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.path.startswith("/") and (not referer.netloc or referer.netloc == request.url.netloc):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/cases"

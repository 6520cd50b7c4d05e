"""The ASGI application: JSON API, web UI and static files, with one error policy.

``uvicorn casetrail.asgi:create_app --factory`` serves it; every worker process builds its own.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from casetrail.api.errors import json_error, json_validation_error
from casetrail.api.health import router as health_router
from casetrail.api.routes import api_router
from casetrail.core.errors import CasetrailError
from casetrail.core.logging import configure_logging, get_logger
from casetrail.core.settings import Settings, get_settings
from casetrail.http.deps import request_id_for
from casetrail.http.errors import error_body
from casetrail.http.state import AppState
from casetrail.web.errors import html_error, wants_html
from casetrail.web.routes import STATIC_DIR, web_router

log = get_logger(__name__)

# Codes for errors that Starlette raises itself (unknown route, wrong method).
_HTTP_ERROR_CODES = {404: "not_found", 405: "method_not_allowed"}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    app = FastAPI(
        title="Casetrail",
        version="0.1.0",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.casetrail = AppState.from_settings(settings)
    app.include_router(health_router)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_error_handlers(app)
    _install_request_logging(app)
    log.info("app_created", backend=app.state.casetrail.engine.dialect.name)
    return app


def _respond_error(request: Request, error: BaseException) -> Response:
    if wants_html(request):
        return html_error(request, error)
    return json_error(request, error)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CasetrailError)
    async def _casetrail_error(request: Request, error: CasetrailError) -> Response:
        return _respond_error(request, error)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> Response:
        if wants_html(request):
            return html_error(request, error)
        return json_validation_error(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        if wants_html(request):
            return html_error(request, error)
        code = _HTTP_ERROR_CODES.get(error.status_code, "http_error")
        body = error_body(code, str(error.detail), request_id_for(request))
        return JSONResponse(body, status_code=error.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        log.error(
            "request_failed",
            request_id=request_id_for(request),
            path=request.url.path,
            error=type(error).__name__,
            exc_info=error,
        )
        return _respond_error(request, error)


def _install_request_logging(app: FastAPI) -> None:
    @app.middleware("http")
    async def _log_request(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request_id = request_id_for(request)
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        # The request context contains plain values. The User row of the identity is detached and
        # expired once a failed request has rolled back, so reading it here would fail.
        ctx = getattr(request.state, "ctx", None)
        log.info(
            "request_handled",
            request_id=request_id,
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            user_id=ctx.actor.user_id if ctx is not None else None,
        )
        return response

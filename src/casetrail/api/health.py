"""Liveness and readiness: /healthz answers when the process runs and the database responds."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from casetrail.core.logging import get_logger
from casetrail.http.state import get_state

log = get_logger(__name__)
router = APIRouter()


@router.get("/healthz", tags=["health"])
def healthz(request: Request) -> JSONResponse:
    state = get_state(request)
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        log.error("health_check_failed", error=type(error).__name__)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": state.engine.dialect.name})

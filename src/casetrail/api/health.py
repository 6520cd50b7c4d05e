"""Liveness and readiness: /healthz returns 200 while the process runs and the database responds."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text

from casetrail.core.logging import get_logger
from casetrail.http.state import get_state

log = get_logger(__name__)
router = APIRouter()


class HealthStatus(BaseModel):
    status: str = Field(examples=["ok", "unavailable"])
    database: str = Field(description="The database backend, or 'unreachable'.", examples=["postgresql"])


@router.get(
    "/healthz",
    tags=["health"],
    response_model=HealthStatus,
    responses={503: {"model": HealthStatus, "description": "The database does not respond."}},
)
def healthz(request: Request) -> JSONResponse:
    state = get_state(request)
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        log.error("health_check_failed", error=type(error).__name__)
        body = HealthStatus(status="unavailable", database="unreachable")
        return JSONResponse(body.model_dump(), status_code=503)
    return JSONResponse(HealthStatus(status="ok", database=state.engine.dialect.name).model_dump())

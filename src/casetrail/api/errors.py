"""JSON error responses for the API."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from casetrail.http.deps import request_id_for
from casetrail.http.errors import describe, error_body, status_for


def json_error(request: Request, error: BaseException) -> JSONResponse:
    code, message, fields = describe(error)
    return JSONResponse(
        error_body(code, message, request_id_for(request), fields), status_code=status_for(error)
    )


def json_validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    fields: dict[str, str] = {}
    for item in error.errors():
        location = ".".join(str(part) for part in item.get("loc", ()) if part not in ("body",))
        fields[location or "request"] = str(item.get("msg", "invalid"))
    return JSONResponse(
        error_body("validation_failed", "invalid request", request_id_for(request), fields),
        status_code=422,
    )

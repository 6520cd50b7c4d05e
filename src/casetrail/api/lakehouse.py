"""Analyst SQL over the lakehouse tables, limited to the caller's cases and audited."""

from __future__ import annotations

from fastapi import APIRouter, Response

from casetrail.api.dependencies import AppSettings
from casetrail.api.openapi import error_responses
from casetrail.api.schemas.lakehouse import SqlColumn, SqlRequest, SqlResult
from casetrail.http.deps import Ctx, DbSession
from casetrail.lakehouse.formats import MEDIA_TYPES, ResultFormat

router = APIRouter(tags=["lakehouse"])

_FILES = {
    media: {"schema": {"type": "string", "format": "binary"}}
    for result_format, media in MEDIA_TYPES.items()
    if result_format != ResultFormat.JSON
}


@router.post(
    "/sql",
    response_model=SqlResult,
    responses={**error_responses(403), 200: {"content": _FILES}},
)
def run_sql(body: SqlRequest, session: DbSession, ctx: Ctx, settings: AppSettings) -> SqlResult | Response:
    """Run one read-only SELECT over the lakehouse; rows of cases the caller may not see never appear.

    Rejected SQL (a command, a table function, a file path, a system catalog) returns 403
    ``sql_rejected``. SQL that does not parse or that DuckDB rejects returns 422. Every query is audited with
    its text and purpose (the ``purpose`` field or the X-Casetrail-Purpose header).
    """
    # PyIceberg, PyArrow and DuckDB add about 100 MB to a worker; load them on the first query.
    from casetrail.lakehouse.query import QueryRequest, run_query  # noqa: PLC0415

    request = QueryRequest(sql=body.sql, purpose=body.purpose, as_of=body.as_of, snapshot_id=body.snapshot_id)
    result = run_query(session, ctx, settings, request)
    result_format = ResultFormat(body.format)
    if result_format != ResultFormat.JSON:
        return Response(content=result.encode(result_format), media_type=MEDIA_TYPES[result_format])
    return SqlResult(
        columns=[
            SqlColumn(name=name, type=kind)
            for name, kind in zip(result.columns, result.column_types, strict=True)
        ],
        rows=result.json_rows(),
        row_count=result.row_count,
        truncated=result.truncated,
        snapshots=result.snapshots,
    )

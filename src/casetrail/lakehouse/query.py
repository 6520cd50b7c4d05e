"""Analyst SQL: check it, scope it to the user's cases, run it on DuckDB, audit it.

Every query is audited with its text and stated purpose, whether it ran, was rejected or
failed. The store's transaction is committed before DuckDB runs, so an analytic query never
keeps the database locked (on SQLite every transaction takes the write lock). The audit record
of the outcome is committed before the result is returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.cases.access import visible_cases
from casetrail.cases.models import Case
from casetrail.core.errors import CasetrailError, PermissionDenied, ValidationFailed
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings
from casetrail.lakehouse import duck
from casetrail.lakehouse.config import LakehouseConfig, config_for, open_catalog
from casetrail.lakehouse.registry import BY_NAME, TABLES
from casetrail.lakehouse.results import QueryResult
from casetrail.lakehouse.snapshots import resolve_read_points
from casetrail.lakehouse.spec import Access
from casetrail.lakehouse.sql_guard import CheckedQuery, SqlRejected, check_query, rewrite_tables
from casetrail.lakehouse.tables import load_table
from casetrail.lakehouse.trino import TrinoSource, to_trino

log = get_logger(__name__)

QUERYABLE = frozenset([*BY_NAME, duck.COLUMNS_VIEW])
MAX_PURPOSE_LENGTH = 500


@dataclass(frozen=True)
class QueryRequest:
    sql: str
    purpose: str | None = None
    as_of: datetime | None = None
    snapshot_id: int | None = None


@dataclass(frozen=True)
class Scope:
    """Cases the policy lets the user read, and whether the audit trail is readable too."""

    case_ids: list[str]
    audit_trail: bool


def permitted_scope(session: Session, ctx: RequestContext) -> Scope:
    visible = visible_cases(session, ctx.actor)
    case_ids = sorted(session.execute(select(Case.id).where(visible)).scalars())
    return Scope(case_ids=case_ids, audit_trail=_may_read_audit_trail(ctx))


def _may_read_audit_trail(ctx: RequestContext) -> bool:
    try:
        policy.require_audit_read(ctx)
    except PermissionDenied:
        return False
    return True


def run_query(
    session: Session, ctx: RequestContext, settings: Settings, request: QueryRequest
) -> QueryResult:
    """Run an analyst query as ``ctx``'s user; commits ``session`` (see the module docstring)."""
    policy.require_authenticated(ctx)
    purpose = (request.purpose or ctx.purpose or "").strip()[:MAX_PURPOSE_LENGTH] or None
    ctx = ctx.with_purpose(purpose)
    detail: dict[str, Any] = {
        "sql": request.sql,
        "as_of": request.as_of.isoformat() if request.as_of else None,
        "snapshot_id": request.snapshot_id,
    }
    try:
        checked = check_query(request.sql, QUERYABLE)
        detail["tables"] = sorted(checked.tables)
        scope = permitted_scope(session, ctx)
        detail["cases_visible"] = len(scope.case_ids)
        session.commit()
        result = execute_scoped(settings, checked, scope, request)
    except CasetrailError as error:
        outcome = "denied" if isinstance(error, SqlRejected) else "failed"
        _audit(session, ctx, outcome, {**detail, "error": error.code, "message": error.message})
        log.info(
            "lakehouse_query_refused", request_id=ctx.request_id, actor_id=ctx.actor.user_id, code=error.code
        )
        raise
    detail.update(rows=result.row_count, truncated=result.truncated, snapshots=result.snapshots)
    audit_id = _audit(session, ctx, "success", detail)
    log.info(
        "lakehouse_query_done",
        request_id=ctx.request_id,
        actor_id=ctx.actor.user_id,
        rows=result.row_count,
        tables=sorted(checked.tables),
    )
    return QueryResult(result.table, result.truncated, result.snapshots, audit_id=audit_id)


def _audit(session: Session, ctx: RequestContext, outcome: str, detail: dict[str, Any]) -> str | None:
    record(
        session,
        ctx.audit_source,
        AuditAction.LAKEHOUSE_QUERY,
        object_type="lakehouse",
        outcome=outcome,
        detail=detail,
    )
    session.commit()
    return ctx.request_id


def execute_scoped(
    settings: Settings, checked: CheckedQuery, scope: Scope, request: QueryRequest
) -> QueryResult:
    """Run a checked query on DuckDB with views limited to ``scope``; no policy lookup, no audit."""
    config = config_for(settings)
    lake = settings.lakehouse
    with open_catalog(config) as catalog:
        tables = {
            name: _table(catalog, config, name) for name in sorted(checked.tables - {duck.COLUMNS_VIEW})
        }
        points = resolve_read_points(tables, as_of=request.as_of, snapshot_id=request.snapshot_id)
        connection = duck.connect(config, lake)
        try:
            for name, point in points.items():
                spec = BY_NAME[name]
                case_ids = (
                    scope.case_ids if spec.access == Access.CASE else (None if scope.audit_trail else [])
                )
                duck.create_view(connection, duck.ViewSource(name, point, spec.case_column, case_ids))
            if duck.COLUMNS_VIEW in checked.tables:
                duck.create_columns_view(connection, {spec.name: spec.iceberg_schema() for spec in TABLES})
            duck.lock_down(connection, config)
            sql = rewrite_tables(checked, duck.PERMITTED_SCHEMA).sql(dialect="duckdb")
            output = duck.run(
                connection, sql, max_rows=lake.max_result_rows, timeout_seconds=lake.query_timeout_seconds
            )
        finally:
            connection.close()
    snapshots = {name: point.snapshot_id for name, point in sorted(points.items())}
    return QueryResult(output.table, output.truncated, snapshots)


def _table(catalog: SqlCatalog, config: LakehouseConfig, name: str) -> Table:
    table = load_table(catalog, config, BY_NAME[name])
    if table is None:
        raise ValidationFailed(
            f"the lakehouse has no table {name} yet: run `casetrail lakehouse sync` first",
            {"sql": "no such table"},
        )
    return table


def trino_sql(session: Session, ctx: RequestContext, settings: Settings, request: QueryRequest) -> str:
    """Return the analyst query in Trino SQL with the user's permission filter; audited, not run."""
    policy.require_authenticated(ctx)
    ctx = ctx.with_purpose((request.purpose or ctx.purpose or "").strip()[:MAX_PURPOSE_LENGTH] or None)
    detail: dict[str, Any] = {"sql": request.sql, "dialect": "trino", "snapshot_id": request.snapshot_id}
    try:
        checked = check_query(request.sql, QUERYABLE - {duck.COLUMNS_VIEW})
        scope = permitted_scope(session, ctx)
        config = config_for(settings)
        with open_catalog(config) as catalog:
            tables = {name: _table(catalog, config, name) for name in sorted(checked.tables)}
            points = resolve_read_points(tables, as_of=request.as_of, snapshot_id=request.snapshot_id)
    except CasetrailError as error:
        outcome = "denied" if isinstance(error, SqlRejected) else "failed"
        _audit(session, ctx, outcome, {**detail, "error": error.code, "message": error.message})
        raise
    sources = [
        TrinoSource(
            name=name,
            snapshot_id=point.snapshot_id,
            case_column=BY_NAME[name].case_column,
            case_ids=_case_filter(BY_NAME[name].access, scope),
        )
        for name, point in points.items()
    ]
    _audit(session, ctx, "success", {**detail, "tables": sorted(checked.tables)})
    return to_trino(checked, config.namespace, sources)


def _case_filter(access: Access, scope: Scope) -> list[str] | None:
    if access == Access.CASE:
        return scope.case_ids
    return None if scope.audit_trail else []

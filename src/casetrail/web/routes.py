"""Web UI routes, assembled from one router module per area, and the static files folder."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends

from casetrail.web import (
    audit_pages,
    auth_pages,
    case_pages,
    case_work,
    document_pages,
    entity_pages,
    evidence_pages,
    graph_pages,
    lead_pages,
    legal_pages,
    merge_import_pages,
    notification_pages,
    search_pages,
    tip_pages,
    xref_pages,
)
from casetrail.web.templating import remember_viewer

STATIC_DIR = Path(__file__).parent / "static"

web_router = APIRouter(include_in_schema=False, dependencies=[Depends(remember_viewer)])
for module in (
    auth_pages,
    case_pages,
    case_work,
    entity_pages,
    merge_import_pages,
    audit_pages,
    evidence_pages,
    document_pages,
    xref_pages,
    graph_pages,
    lead_pages,
    legal_pages,
    tip_pages,
    notification_pages,
    search_pages,
):
    web_router.include_router(module.router)

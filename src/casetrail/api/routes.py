"""The /api/v1 router, assembled from one router module per context.

Every route can return 401 (a bad API token fails even where no login is needed) and 422
(request validation), so those two are documented here once.
"""

from __future__ import annotations

from fastapi import APIRouter

from casetrail.api import audit, auth, cases, entities, imports, members, merges, notes, tasks, users, xref
from casetrail.api.documents import router as documents_router
from casetrail.api.evidence import ROUTERS as EVIDENCE_ROUTERS
from casetrail.api.graph import ROUTERS as GRAPH_ROUTERS
from casetrail.api.lakehouse import router as lakehouse_router
from casetrail.api.leads import router as leads_router
from casetrail.api.legal import ROUTERS as LEGAL_ROUTERS
from casetrail.api.notifications import router as notifications_router
from casetrail.api.openapi import error_responses
from casetrail.api.search import router as search_router

API_PREFIX = "/api/v1"

CONTEXT_ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    users.router,
    cases.router,
    members.router,
    notes.router,
    tasks.router,
    entities.router,
    merges.router,
    imports.router,
    *EVIDENCE_ROUTERS,
    documents_router,
    xref.router,
    *GRAPH_ROUTERS,
    lakehouse_router,
    leads_router,
    *LEGAL_ROUTERS,
    audit.router,
    notifications_router,
    search_router,
)

api_router = APIRouter(responses=error_responses(401, 422))
for context_router in CONTEXT_ROUTERS:
    api_router.include_router(context_router)

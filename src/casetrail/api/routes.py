"""The /api/v1 router, assembled from one router module per context.

Every route can answer 401 (a bad API token fails even where no login is needed) and 422
(request validation), so those two are documented here once.
"""

from __future__ import annotations

from fastapi import APIRouter

from casetrail.api import audit, auth, cases, entities, imports, members, merges, notes, tasks, users
from casetrail.api.openapi import error_responses

api_router = APIRouter(responses=error_responses(401, 422))
for module in (auth, users, cases, members, notes, tasks, entities, merges, imports, audit):
    api_router.include_router(module.router)

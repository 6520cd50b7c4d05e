"""The /api/v1 router, assembled from one router module per context."""

from __future__ import annotations

from fastapi import APIRouter

api_router = APIRouter()

"""Web UI routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

STATIC_DIR = Path(__file__).parent / "static"
web_router = APIRouter(include_in_schema=False)

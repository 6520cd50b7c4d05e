"""FastAPI dependencies of the JSON API that the shared request plumbing does not provide."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from casetrail.core.settings import Settings
from casetrail.http.state import get_state


def app_settings(request: Request) -> Settings:
    return get_state(request).settings


AppSettings = Annotated[Settings, Depends(app_settings)]

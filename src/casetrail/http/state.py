"""Per-process application state: settings, engine and session factory. Nothing else lives here."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from casetrail.db.engine import engine_for, session_factory


@dataclass(frozen=True)
class AppState:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]

    @classmethod
    def from_settings(cls, settings: Settings) -> AppState:
        engine = engine_for(settings.resolved_database_url)
        return cls(settings=settings, engine=engine, factory=session_factory(engine))


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.casetrail
    return state

"""The handles a lakehouse operation needs: settings, the store's sessions and the catalog."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from pyiceberg.catalog.sql import SqlCatalog
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from casetrail.db.engine import session_factory
from casetrail.lakehouse.config import LakehouseConfig, config_for, open_catalog
from casetrail.lakehouse.lock import writer_lock


@dataclass(frozen=True)
class Lakehouse:
    settings: Settings
    config: LakehouseConfig
    engine: Engine
    factory: sessionmaker[Session]
    catalog: SqlCatalog

    def writer_lock(self) -> AbstractContextManager[None]:
        return writer_lock(self.engine, self.config.root)


@contextmanager
def open_lakehouse(settings: Settings, engine: Engine) -> Iterator[Lakehouse]:
    """Open the catalog for the store behind ``engine``; the caller owns the engine."""
    config = config_for(settings)
    with open_catalog(config) as catalog:
        yield Lakehouse(
            settings=settings, config=config, engine=engine, factory=session_factory(engine), catalog=catalog
        )

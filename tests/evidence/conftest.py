"""Evidence fixtures: a case led by alice, carol (an analyst) on it, bob in another unit, a blob store.

Every test runs on SQLite and on PostgreSQL through ``factory`` and ``settings``; files go to a
local blob store under the test's data directory.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import RequestContext, operator_context
from casetrail.auth.models import User
from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.blobs.store import BlobStore
from casetrail.cases.members import add_member
from casetrail.cases.models import Case
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.evidence import files, items
from casetrail.evidence.items import ItemView, NewItem
from casetrail.evidence.models import EvidenceFile
from tests.factories import context_for, make_case, make_user

SEIZED_AT = datetime(2026, 3, 14, 6, 30, tzinfo=UTC)


@dataclass
class World:
    factory: sessionmaker[Session]
    settings: Settings
    store: BlobStore
    case: Case
    alice: User
    carol: User
    bob: User
    dave: User

    @property
    def number(self) -> str:
        return self.case.number

    def ctx(self, user: User) -> RequestContext:
        return context_for(user)

    def new_item(self, user: User | None = None, **fields: Any) -> ItemView:
        values: dict[str, Any] = {
            "description": "Black smartphone, cracked screen",
            "category": "device",
            "obtained_at": SEIZED_AT,
            "obtained_method": "search warrant",
            "obtained_place": "12 Elm St, kitchen",
            "seal_number": "S-1001",
        }
        values.update(fields)
        with transaction(self.factory) as session:
            return items.create_item(session, self.ctx(user or self.alice), self.number, NewItem(**values))

    def upload(
        self, item_number: str, data: bytes, name: str = "image.bin", user: User | None = None
    ) -> EvidenceFile:
        with transaction(self.factory) as session:
            return files.add_file(
                session,
                self.ctx(user or self.alice),
                self.store,
                self.number,
                item_number,
                source=io.BytesIO(data),
                file_name=name,
            )


@pytest.fixture
def store(settings: Settings) -> BlobStore:
    ensure_master_key(settings)
    return blob_store(settings)


@pytest.fixture
def world(factory: sessionmaker[Session], settings: Settings, store: BlobStore) -> World:
    alice = make_user(factory, "alice", unit="Unit A")
    carol = make_user(factory, "carol", role="analyst", unit="Unit A")
    bob = make_user(factory, "bob", unit="Unit B")
    dave = make_user(factory, "dave", role="analyst", unit="Unit A")
    case = make_case(factory, "alice", title="House on Elm St", number="2026-0142")
    with transaction(factory) as session:
        add_member(session, operator_context(), case.number, username="carol", role="analyst")
        add_member(session, operator_context(), case.number, username="dave", role="viewer")
    return World(factory, settings, store, case, alice, carol, bob, dave)

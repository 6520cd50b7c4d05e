"""Document fixtures: a case led by alice with carol (analyst) and dave (viewer), bob outside it.

Every test runs on SQLite and on PostgreSQL through ``factory`` and ``settings``; files go to a
local blob store under the test's data directory.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

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
from casetrail.documents import tasks
from casetrail.documents.models import Document
from casetrail.documents.service import store_document
from casetrail.jobs.worker import RunStats, Worker
from tests.factories import context_for, make_case, make_user

DOCUMENTS_DATA = Path(__file__).resolve().parent.parent / "data" / "documents"


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

    @property
    def data(self) -> Path:
        return DOCUMENTS_DATA

    def ctx(self, user: User) -> RequestContext:
        return context_for(user)

    def store_bytes(self, data: bytes, name: str = "note.txt") -> Document:
        with transaction(self.factory) as session:
            return store_document(
                session,
                blobs=self.store,
                source=io.BytesIO(data),
                file_name=name,
                origin="upload",
                uploaded_by=self.alice.username,
                uploaded_by_id=self.alice.id,
                case_id=self.case.id,
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


def run_worker(world: World) -> RunStats:
    """Drain the queue with one worker running the documents handlers."""
    worker = Worker(
        settings=world.settings,
        sessions=world.factory,
        blobs=world.store,
        handlers=tasks.HANDLERS,
        periodic=tasks.PERIODIC,
        worker_id="test-worker",
    )
    return worker.run(once=True)


def store_file(world: World, relative: str) -> Document:
    """Store a file from tests/data/documents as an upload to the case."""
    path = DOCUMENTS_DATA / relative
    with path.open("rb") as source:
        return world.store_bytes(source.read(), path.name)


def reload(world: World, document_id: str) -> Document:
    with transaction(world.factory) as session:
        return session.get_one(Document, document_id)

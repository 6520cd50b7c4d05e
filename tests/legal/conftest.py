"""Legal document fixtures: a case built from real OpenSanctions entities, with evidence, a note and a chart.

alice (investigator) leads case 2026-0142 in Unit A; sam and sue supervise Unit A; carol is an
analyst on the case; bob supervises Unit B and has no access to the case. The case holds the ZALA
Aero slice of tests/data, one evidence item with a custody hand-over, a note and a saved chart.
Every test runs on SQLite and PostgreSQL.

Importing the 91 entities of the slice takes several seconds per backend, so the world is built
once per test session and backend into a template database (a SQLite file, a PostgreSQL template
database). Each test gets its own fresh copy of that template, so tests still change and commit
freely without seeing each other's changes. Test modules outside this folder that use the world
import ``database_url`` from here so that their database starts as such a copy.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import RequestContext, operator_context
from casetrail.auth.models import User
from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.blobs.store import BlobStore
from casetrail.cases.members import add_member
from casetrail.cases.models import Case
from casetrail.cases.notes import add_note
from casetrail.core.settings import Settings
from casetrail.db.engine import build_engine, engine_for, session_factory, transaction
from casetrail.evidence import custody, items
from casetrail.evidence.events import Handover
from casetrail.evidence.items import NewItem
from casetrail.exchange.ftm_import import import_ftm
from casetrail.graph.charts import create_chart
from casetrail.legal import review, service
from casetrail.legal.models import LegalDocument
from tests.conftest import DATA_DIR, _backends
from tests.factories import context_for, make_case, make_user
from tests.support.postgres import PostgresServer

ZALA = DATA_DIR / "ftm_opensanctions_zala_slice.ftm.json"
SEIZED_AT = datetime(2026, 3, 14, 6, 30, tzinfo=UTC)
# Real entities of the ZALA Aero slice.
ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"
ZAKHAROV_NAME = "Aleksandr Vyacheslavovich Zakharov"
ZAKHAROV_INN = "183111242406"
CST = "NK-abdzbEBkqyT29GyREbiURZ"
CST_NAME = 'Limited Liability Company "CST"'
ZALA_AERO = "NK-cPks3aTbes8k4aCerfBAzN"
SYNOPSIS = "The holding structure of LLC CST was traced through the share register."


@dataclass
class LegalWorld:
    factory: sessionmaker[Session]
    settings: Settings
    store: BlobStore
    case: Case
    alice: User
    sam: User
    sue: User
    carol: User
    bob: User
    item_number: str
    note_id: str
    chart_id: str

    @property
    def number(self) -> str:
        return self.case.number

    def ctx(self, user: User) -> RequestContext:
        return context_for(user)

    def create(
        self, template: str = "report_of_investigation", user: User | None = None, **extra: Any
    ) -> LegalDocument:
        sections = {
            "synopsis": SYNOPSIS,
            "details": f"Interviews with staff named {ZAKHAROV_NAME} as the owner.",
            "conclusion": "Refer to the prosecutor.",
            "recipient": "Registry office",
            "records_sought": "Share register 2015 to 2024.",
            "relevance": "Shows ownership.",
            "affiant": "Det. Alice",
            "premises": "12 Elm St",
            "items_sought": "Share certificates",
            "probable_cause": "The register names him.",
            "received_from": "Alice",
            "received_by": "Carol",
            "summary": "Ownership case.",
            **extra.pop("sections", {}),
        }
        selection = {
            "subjects": [ZAKHAROV, CST],
            "evidence": [self.item_number],
            "notes": [self.note_id],
            "chart": self.chart_id,
            **extra.pop("selection", {}),
        }
        with transaction(self.factory) as session:
            return service.create_document(
                session,
                self.ctx(user or self.alice),
                self.number,
                template_key=template,
                title=extra.pop("title", "Report on LLC CST"),
                selection=selection,
                sections=sections,
            )

    def approved(self, template: str = "report_of_investigation", **extra: Any) -> LegalDocument:
        document = self.create(template, **extra)
        with transaction(self.factory) as session:
            review.submit(
                session,
                self.ctx(self.alice),
                self.number,
                document.id,
                expected_version=self.version(document.id),
            )
        with transaction(self.factory) as session:
            review.approve(
                session,
                self.ctx(self.sam),
                self.store,
                self.number,
                document.id,
                expected_version=self.version(document.id),
            )
        with transaction(self.factory) as session:
            found = session.get(LegalDocument, document.id)
            assert found is not None
            return found

    def version(self, document_id: str) -> int:
        """Return the document's current row version, as a client that just read it would send."""
        with transaction(self.factory) as session:
            found = session.get(LegalDocument, document_id)
            assert found is not None
            return found.version

    def pdf(self, document_id: str, version: int | None = None, user: User | None = None) -> bytes:
        with transaction(self.factory) as session:
            return service.document_pdf(
                session, self.ctx(user or self.alice), self.store, self.number, document_id, version=version
            )[2]


def make_store(settings: Settings) -> BlobStore:
    ensure_master_key(settings)
    return blob_store(settings)


@dataclass(frozen=True)
class WorldTemplate:
    """A database holding the built world, and what a test needs to find its parts again."""

    source: str  # SQLite file path or PostgreSQL database name
    number: str
    item_number: str
    note_id: str
    chart_id: str


_TEMPLATES = pytest.StashKey[dict[str, WorldTemplate]]()
_USERNAMES = ("alice", "sam", "sue", "carol", "bob")
_copies = itertools.count()


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh database on each backend in turn that already contains the legal world."""
    backend: str = request.param
    template = _world_template(request, backend)
    if backend == "sqlite":
        path = tmp_path / "casetrail.db"
        shutil.copyfile(template.source, path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"casetrail_legal_{os.getpid()}_{next(_copies)}"
    _admin_sql(server, f'CREATE DATABASE "{name}" TEMPLATE "{template.source}"')
    try:
        yield server.url_for(name)
    finally:
        engine_for.cache_clear()
        _admin_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def store(settings: Settings) -> BlobStore:
    return make_store(settings)


@pytest.fixture
def world(
    request: pytest.FixtureRequest,
    backend: str,
    factory: sessionmaker[Session],
    settings: Settings,
    store: BlobStore,
) -> LegalWorld:
    return load_world(request, backend, factory, settings, store)


def load_world(
    request: pytest.FixtureRequest,
    backend: str,
    factory: sessionmaker[Session],
    settings: Settings,
    store: BlobStore,
) -> LegalWorld:
    """Read the world back from this test's own copy of the template.

    Building the world seals no blob, so the test's own data folder and master key suffice.
    """
    template = _world_template(request, backend)
    with transaction(factory) as session:
        users = {name: _user(session, name) for name in _USERNAMES}
        case = session.execute(select(Case).where(Case.number == template.number)).scalar_one()
    return LegalWorld(
        factory,
        settings,
        store,
        case,
        users["alice"],
        users["sam"],
        users["sue"],
        users["carol"],
        users["bob"],
        template.item_number,
        template.note_id,
        template.chart_id,
    )


def _user(session: Session, username: str) -> User:
    return session.execute(select(User).where(User.username == username)).scalar_one()


def _world_template(request: pytest.FixtureRequest, backend: str) -> WorldTemplate:
    """Build the world once per session and backend, and return that template on later calls."""
    templates = request.config.stash.setdefault(_TEMPLATES, {})
    if backend not in templates:
        folder = request.getfixturevalue("tmp_path_factory").mktemp(f"legal_world_{backend}")
        if backend == "sqlite":
            templates[backend] = _sqlite_template(request, folder)
        else:
            templates[backend] = _postgres_template(request, folder)
    return templates[backend]


def _sqlite_template(request: pytest.FixtureRequest, folder: Path) -> WorldTemplate:
    path = folder / "world.db"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    template = _build_template(f"sqlite:///{path}", str(path), folder / "var")
    # Fold the write-ahead log into the main file so that copying one file copies everything.
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return template


def _postgres_template(request: pytest.FixtureRequest, folder: Path) -> WorldTemplate:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"casetrail_legal_world_{os.getpid()}_{next(_copies)}"
    _admin_sql(server, f'CREATE DATABASE "{name}" TEMPLATE casetrail_template')
    return _build_template(server.url_for(name), name, folder / "var")


def _build_template(url: str, source: str, data_dir: Path) -> WorldTemplate:
    engine = build_engine(url)
    try:
        settings = Settings(database_url=url, data_dir=data_dir, log_format="console")
        built = build_world(session_factory(engine), settings, make_store(settings))
    finally:
        # A PostgreSQL template cannot be copied while a connection to it is open.
        engine.dispose()
    return WorldTemplate(source, built.number, built.item_number, built.note_id, built.chart_id)


def _admin_sql(server: PostgresServer, statement: str) -> None:
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


def _chart_payload() -> dict[str, Any]:
    nodes = [(ZAKHAROV, 0.0, 0.0), (CST, 300.0, 40.0), (ZALA_AERO, 150.0, 260.0)]
    return {
        "nodes": [{"id": key, "x": x, "y": y, "pinned": False} for key, x, y in nodes],
        "filters": {},
        "layout": "preset",
    }


def build_world(factory: sessionmaker[Session], settings: Settings, store: BlobStore) -> LegalWorld:
    """Build the users and the case described in the module docstring, committed through services."""
    alice = make_user(factory, "alice", unit="Unit A")
    sam = make_user(factory, "sam", role="supervisor", unit="Unit A")
    sue = make_user(factory, "sue", role="supervisor", unit="Unit A")
    carol = make_user(factory, "carol", role="analyst", unit="Unit A")
    bob = make_user(factory, "bob", role="supervisor", unit="Unit B")
    case = make_case(factory, "alice", title="ZALA Aero ownership", number="2026-0142")
    operator = operator_context()
    alice_ctx = context_for(alice)
    with transaction(factory) as session:
        add_member(session, operator, case.number, username="carol", role="analyst")
    with transaction(factory) as session, ZALA.open("rb") as stream:
        import_ftm(session, alice_ctx, case.number, stream, file_name=ZALA.name, skip_invalid_values=True)
    with transaction(factory) as session:
        item = items.create_item(
            session,
            alice_ctx,
            case.number,
            NewItem(
                description="Share register extract of LLC CST",
                category="document",
                obtained_at=SEIZED_AT,
                obtained_method="production order",
                obtained_place="Registry office",
                seal_number="S-7731",
            ),
            entity_ids=(CST,),
        )
    with transaction(factory) as session:
        custody.release(
            session,
            alice_ctx,
            case.number,
            item.item.number,
            receiver="carol",
            purpose="lab_analysis",
            handover=Handover(location="Lab intake desk", condition="seal intact"),
        )
    with transaction(factory) as session:
        note = add_note(session, alice_ctx, case.number, f"Met the registrar about {ZAKHAROV_NAME}.")
    with transaction(factory) as session:
        chart = create_chart(
            session, alice_ctx, case.number, title="Control of CST", payload=_chart_payload()
        )
    return LegalWorld(
        factory, settings, store, case, alice, sam, sue, carol, bob, item.item.number, note.id, chart.id
    )

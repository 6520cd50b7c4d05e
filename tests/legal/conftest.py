"""Legal document fixtures: a case built from real OpenSanctions entities, with evidence, a note and a chart.

alice (investigator) leads case 2026-0142 in Unit A; sam and sue supervise Unit A; carol is an
analyst on the case; bob supervises Unit B and has no access to the case. The case holds the ZALA
Aero slice of tests/data, one evidence item with a custody hand-over, a note and a saved chart.
Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

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
from casetrail.cases.notes import add_note
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.evidence import custody, items
from casetrail.evidence.events import Handover
from casetrail.evidence.items import NewItem
from casetrail.exchange.ftm_import import import_ftm
from casetrail.graph.charts import create_chart
from casetrail.legal import review, service
from casetrail.legal.models import LegalDocument
from tests.conftest import DATA_DIR
from tests.factories import context_for, make_case, make_user

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

    def approved(self, template: str = "report_of_investigation") -> LegalDocument:
        document = self.create(template)
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


@pytest.fixture
def store(settings: Settings) -> BlobStore:
    return make_store(settings)


def _chart_payload() -> dict[str, Any]:
    nodes = [(ZAKHAROV, 0.0, 0.0), (CST, 300.0, 40.0), (ZALA_AERO, 150.0, 260.0)]
    return {
        "nodes": [{"id": key, "x": x, "y": y, "pinned": False} for key, x, y in nodes],
        "filters": {},
        "layout": "preset",
    }


@pytest.fixture
def world(factory: sessionmaker[Session], settings: Settings, store: BlobStore) -> LegalWorld:
    return build_world(factory, settings, store)


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

"""Search test data: three cases with documents, notes and entities, indexed by the follower.

Documents are written straight into the document tables, with the outbox event that ingestion
emits when a document's text is ready, so the index receives them exactly as it receives
ingested files.

- 2026-0142 "Night visits" (okafor, Narcotics Unit 3, restricted): the ledger (three pages, the
  nickname "Moonface" on page 3), a bank letter, two notes and the person Viktor Moonface.
- 2026-0200 "Harbour" (rivera, Robbery Unit, restricted): a document and a note that mention
  Moonface too. okafor is not on it.
- 2026-0300 "Silent" (okafor, Narcotics Unit 3, secret): a Moonface note. Supervisor hale runs
  okafor's unit but is cleared to confidential only, so sees 2026-0142 and not 2026-0300.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import RequestContext
from casetrail.cases import notes
from casetrail.cases.models import Case
from casetrail.db.engine import transaction
from casetrail.db.outbox import emit
from casetrail.documents.models import Document, DocumentPage
from casetrail.entities import service as entity_service
from casetrail.entities.statements import Source, SourceType
from casetrail.search.follower import sync_until_caught_up
from tests.factories import context_for, make_case, make_user

NIGHT = "2026-0142"
HARBOUR = "2026-0200"
SILENT = "2026-0300"
MANUAL = Source(SourceType.MANUAL)

LEDGER_PAGES = [
    "Ledger of cash payments received at the garage on Mill Road.",
    "Entries for March: deliveries paid in cash, collected by the driver.",
    "On Friday Moonface took the envelope to the harbour office and paid the wire transfer fee.",
]
LETTER = (
    "Dear customer, the wire transfer to account DE44 5001 0517 5407 3249 31 was returned. "
    "Müller Bank regrets the inconvenience."
)


@dataclass(frozen=True)
class Scenario:
    night: Case
    harbour: Case
    silent: Case
    ledger_id: str
    letter_id: str
    harbour_doc_id: str
    person_id: str
    okafor: RequestContext
    rivera: RequestContext
    hale: RequestContext


def add_document(
    factory: sessionmaker[Session],
    case: Case,
    pages: list[str],
    *,
    title: str,
    author: str = "",
    document_date: datetime | None = None,
    labels: tuple[str, ...] = (),
    status: str = "ingested",
    media_type: str = "application/pdf",
) -> str:
    """Write a document with its pages as ingestion leaves it, and the event ingestion emits."""
    with transaction(factory) as session:
        document = Document(
            case_id=case.id,
            root_id="",
            origin="upload",
            file_name=f"{title.lower().replace(' ', '_')}.pdf",
            sha256="0" * 64,
            size=sum(len(text) for text in pages),
            declared_media_type=media_type,
            media_type=media_type,
            status=status,
            title=title,
            author=author,
            document_date=document_date,
            page_count=len(pages),
            labels=list(labels),
            uploaded_by="test",
        )
        session.add(document)
        session.flush()
        document.root_id = document.id
        session.add_all(
            DocumentPage(document_id=document.id, page_no=number, case_id=case.id, text=text)
            for number, text in enumerate(pages, start=1)
        )
        emit(
            session,
            object_type="document",
            object_id=document.id,
            operation="update",
            case_id=case.id,
            payload={"status": status},
        )
        return document.id


def add_note(factory: sessionmaker[Session], ctx: RequestContext, number: str, body: str) -> str:
    with transaction(factory) as session:
        return notes.add_note(session, ctx, number, body).id


def add_person(factory: sessionmaker[Session], ctx: RequestContext, number: str, *names: str) -> str:
    with transaction(factory) as session:
        view = entity_service.create_entity(
            session, ctx, number, schema="Person", properties={"name": list(names)}, source=MANUAL
        )
        return str(view.proxy.id)


def build_scenario(factory: sessionmaker[Session]) -> Scenario:
    okafor_user = make_user(factory, "okafor", unit="Narcotics Unit 3")
    rivera_user = make_user(factory, "rivera", unit="Robbery Unit")
    hale_user = make_user(
        factory, "hale", role="supervisor", unit="Narcotics Unit 3", clearance="confidential"
    )
    night = make_case(factory, "okafor", title="Night visits", number=NIGHT)
    harbour = make_case(factory, "rivera", title="Harbour", number=HARBOUR)
    silent = make_case(factory, "okafor", title="Silent", number=SILENT, sensitivity="secret")
    okafor, rivera = context_for(okafor_user), context_for(rivera_user)

    ledger_id = add_document(
        factory,
        night,
        LEDGER_PAGES,
        title="Garage ledger",
        author="Tomasz Nowak",
        document_date=datetime(2025, 3, 14, tzinfo=UTC),
        labels=("seized", "scanned"),
    )
    letter_id = add_document(
        factory,
        night,
        [LETTER],
        title="Returned transfer",
        author="Müller Bank",
        document_date=datetime(2025, 6, 2, tzinfo=UTC),
        labels=("bank",),
    )
    add_note(factory, okafor, NIGHT, "Surveillance: two visits after midnight, driver waited outside.")
    add_note(factory, okafor, NIGHT, "Informant says the garage pays the harbour office monthly.")
    person_id = add_person(factory, okafor, NIGHT, "Viktor Moonface", "Viktor Mundfeis")

    harbour_doc_id = add_document(
        factory, harbour, ["Moonface was seen at the harbour office."], title="Harbour report"
    )
    add_note(factory, rivera, HARBOUR, "Moonface again at the harbour office, wire transfer suspected.")
    add_note(factory, okafor, SILENT, "Moonface is an informant: source protection applies.")
    sync_until_caught_up(factory)
    return Scenario(
        night=night,
        harbour=harbour,
        silent=silent,
        ledger_id=ledger_id,
        letter_id=letter_id,
        harbour_doc_id=harbour_doc_id,
        person_id=person_id,
        okafor=okafor,
        rivera=rivera,
        hale=context_for(hale_user),
    )

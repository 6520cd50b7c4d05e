"""Building the index entries of documents, notes and entities from the operational tables.

The ``index_*`` functions re-read their objects and replace all of the objects' entries, so
applying one twice, or to an object that is gone, leaves the index right: a deleted note, a
document that is not (or no longer) ingested, a tip attachment without a case, and an entity
that was deleted, purged or merged into another all end up with no entries. Each takes many
objects at once, because a rebuild indexes hundreds of thousands of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from followthemoney import model
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casetrail.cases.models import Note
from casetrail.documents.models import Document, DocumentPage
from casetrail.entities.models import CaseEntity, Statement
from casetrail.search import vocabulary
from casetrail.search.models import EntryKind, SearchEntry
from casetrail.search.scope import scope_token
from casetrail.search.text import normalize

NOTE_TITLE_LENGTH = 120
INGESTED = "ingested"


@dataclass(frozen=True)
class Target:
    """One object to (re)index: a document, a note, or an entity within one case."""

    kind: str
    object_id: str
    case_id: str | None = None
    """Case id, set for entities because they are indexed once per case that contains them."""


def index_targets(session: Session, targets: Sequence[Target], now: datetime) -> int:
    """Replace the entries of ``targets``; return how many entries they have now."""
    documents = [target.object_id for target in targets if target.kind == EntryKind.DOCUMENT_PAGE]
    notes = [target.object_id for target in targets if target.kind == EntryKind.NOTE]
    entities = [
        (target.case_id, target.object_id)
        for target in targets
        if target.kind == EntryKind.ENTITY and target.case_id is not None
    ]
    entries = [
        *_document_entries(session, documents, now),
        *_note_entries(session, notes, now),
        *_entity_entries(session, entities, now),
    ]
    _delete_entries(session, documents, notes, entities)
    session.add_all(entries)
    terms: set[str] = set()
    for entry in entries:
        terms.update(entry.title_terms.split())
        terms.update(entry.body_terms.split())
    vocabulary.add_terms(session, terms)
    session.flush()
    return len(entries)


def _delete_entries(
    session: Session, documents: list[str], notes: list[str], entities: list[tuple[str, str]]
) -> None:
    for kind, ids in ((EntryKind.DOCUMENT_PAGE, documents), (EntryKind.NOTE, notes)):
        if ids:
            session.execute(
                delete(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.object_id.in_(ids))
            )
    by_case: dict[str, list[str]] = defaultdict(list)
    for case_id, entity_id in entities:
        by_case[case_id].append(entity_id)
    for case_id, entity_ids in by_case.items():
        session.execute(
            delete(SearchEntry).where(
                SearchEntry.kind == EntryKind.ENTITY,
                SearchEntry.case_id == case_id,
                SearchEntry.object_id.in_(entity_ids),
            )
        )


def _document_entries(session: Session, ids: list[str], now: datetime) -> list[SearchEntry]:
    if not ids:
        return []
    documents = session.execute(
        select(Document).where(
            Document.id.in_(ids), Document.status == INGESTED, Document.case_id.is_not(None)
        )
    ).scalars()
    pages: dict[str, list[tuple[int, str]]] = defaultdict(list)
    rows = session.execute(
        select(DocumentPage.document_id, DocumentPage.page_no, DocumentPage.text)
        .where(DocumentPage.document_id.in_(ids))
        .order_by(DocumentPage.document_id, DocumentPage.page_no)
    )
    for document_id, page_no, text in rows:
        pages[document_id].append((page_no, text))
    return [entry for document in documents for entry in document_entries(document, pages[document.id], now)]


def document_entries(document: Document, pages: list[tuple[int, str]], now: datetime) -> list[SearchEntry]:
    """Return one entry per page; a document without pages gets one entry for its title."""
    assert document.case_id is not None  # the caller selects documents of a case only
    # The title is searchable on the first page only, so that a title word finds it once.
    title_terms = normalize(f"{document.title} {document.file_name}")
    common = {
        "kind": EntryKind.DOCUMENT_PAGE,
        "object_id": document.id,
        "case_id": document.case_id,
        "title": (document.title or document.file_name)[:1000],
        "entry_date": document.document_date or document.created_at,
        "author": document.author[:500],
        "media_type": (document.media_type or document.declared_media_type)[:200],
        "labels": label_field(document.labels),
        "indexed_at": now,
        "scope_terms": scope_token(document.case_id),
    }
    if not pages:
        return [SearchEntry(**common, page_no=None, body="", title_terms=title_terms, body_terms="")]
    return [
        SearchEntry(
            **common,
            page_no=page_no,
            body=text,
            title_terms=title_terms if index == 0 else "",
            body_terms=normalize(text),
        )
        for index, (page_no, text) in enumerate(pages)
    ]


def label_field(labels: Iterable[str]) -> str:
    """Return labels as stored for exact filtering: ``|a|b|``, or empty for none."""
    cleaned = [label.replace("|", " ").strip() for label in labels]
    present = [label for label in cleaned if label]
    return "|" + "|".join(present) + "|" if present else ""


def _note_entries(session: Session, ids: list[str], now: datetime) -> list[SearchEntry]:
    if not ids:
        return []
    notes = session.execute(select(Note).where(Note.id.in_(ids))).scalars()
    return [note_entry(note, now) for note in notes]


def note_entry(note: Note, now: datetime) -> SearchEntry:
    stripped = note.body.strip()
    first_line = stripped.splitlines()[0] if stripped else ""
    return SearchEntry(
        kind=EntryKind.NOTE,
        object_id=note.id,
        case_id=note.case_id,
        page_no=None,
        title=first_line[:NOTE_TITLE_LENGTH],
        body=note.body,
        title_terms="",
        body_terms=normalize(note.body),
        entry_date=note.created_at,
        author=note.author_name[:500],
        media_type="",
        labels="",
        indexed_at=now,
        scope_terms=scope_token(note.case_id),
    )


def _entity_entries(session: Session, keys: list[tuple[str, str]], now: datetime) -> list[SearchEntry]:
    entries: list[SearchEntry] = []
    by_case: dict[str, list[str]] = defaultdict(list)
    for case_id, entity_id in keys:
        by_case[case_id].append(entity_id)
    for case_id, entity_ids in by_case.items():
        rows = session.execute(
            select(CaseEntity).where(
                CaseEntity.case_id == case_id,
                CaseEntity.entity_id.in_(entity_ids),
                CaseEntity.merged_into.is_(None),
            )
        ).scalars()
        live = [row for row in rows if not _is_relationship(row.schema)]
        names = _names(session, case_id, [row.entity_id for row in live])
        entries.extend(entity_entry(row, names.get(row.entity_id, []), now) for row in live)
    return entries


def _names(session: Session, case_id: str, entity_ids: list[str]) -> dict[str, list[str]]:
    if not entity_ids:
        return {}
    rows = session.execute(
        select(Statement.canonical_id, Statement.value)
        .where(
            Statement.case_id == case_id,
            Statement.canonical_id.in_(entity_ids),
            Statement.prop_type == "name",
            Statement.retracted_at.is_(None),
        )
        .distinct()
    )
    names: dict[str, list[str]] = defaultdict(list)
    for entity_id, value in rows:
        names[entity_id].append(value)
    return names


def entity_entry(row: CaseEntity, names: list[str], now: datetime) -> SearchEntry:
    body = "\n".join(sorted(set(names)))
    return SearchEntry(
        kind=EntryKind.ENTITY,
        object_id=row.entity_id,
        case_id=row.case_id,
        page_no=None,
        title=(row.caption or row.schema)[:1000],
        body=body,
        title_terms=normalize(row.caption),
        body_terms=normalize(body),
        entry_date=row.created_at,
        author="",
        media_type=row.schema,
        labels="",
        indexed_at=now,
        scope_terms=scope_token(row.case_id),
    )


def _is_relationship(schema_name: str) -> bool:
    """Return True for relationship schemata (Ownership, Call...), which have no names to search."""
    schema = model.get(schema_name)
    return schema is not None and schema.edge

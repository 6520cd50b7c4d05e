"""The search index: one row per searchable unit, derived from the operational tables.

A ``search_entry`` is one page of an ingested document, one note, or one named entity of a
case. Its ``*_terms`` columns hold the text as ``casetrail.search.text.normalize`` leaves it
(lower case, no diacritics, words separated by single spaces), so that SQLite and PostgreSQL
index exactly the same words. The engine-specific index lives beside the table and is created
by migrations 0006 and 0010 only, under names starting with ``search_fts``:

- SQLite: ``search_fts``, an FTS5 external-content table over ``title_terms``,
  ``body_terms`` and ``scope_terms``, kept in step by triggers on ``search_entry``.
- PostgreSQL: the generated column ``search_entry.search_fts_vector`` (tsvector, 'simple'
  configuration, title weighted A, body B and the case token D) and its GIN index
  ``search_fts_vector_gin``.

``search_term`` is the vocabulary that fuzzy terms are expanded against. It only grows between
rebuilds, so it may hold words that are no longer indexed; such words match nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casetrail.core.clock import utcnow
from casetrail.db.base import Base
from casetrail.entities.models import ENTITY_ID_LENGTH

# Names of the engine-specific objects that migrations create and the models do not describe.
NATIVE_INDEX_PREFIX = "search_fts"

MAX_TERM_LENGTH = 64


class EntryKind:
    DOCUMENT_PAGE = "document_page"
    NOTE = "note"
    ENTITY = "entity"

    ALL = (DOCUMENT_PAGE, NOTE, ENTITY)


class SearchEntry(Base):
    __tablename__ = "search_entry"

    # An integer key, because FTS5 addresses the rows of its content table by rowid.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    # The document, note or entity id. An entity is indexed once per case that contains it.
    object_id: Mapped[str] = mapped_column(String(ENTITY_ID_LENGTH), nullable=False)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), nullable=False)
    # 1-based page of a document; None for notes and entities.
    page_no: Mapped[int | None] = mapped_column(Integer)
    # When the content was made (document date, note creation), for date filters and sorting.
    entry_date: Mapped[datetime | None] = mapped_column()
    # The author or sender of a document, or the author of a note.
    author: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    # A document's media type, or an entity's FtM schema.
    media_type: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # Labels of a document, each enclosed in "|" ("|seized|privileged|"), for exact label filters.
    labels: Mapped[str] = mapped_column(Text, nullable=False, default="")
    indexed_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    title: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    title_terms: Mapped[str] = mapped_column(Text, nullable=False, default="")
    body_terms: Mapped[str] = mapped_column(Text, nullable=False, default="")
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The case token (``casetrail.search.scope``), indexed as a third full-text column.
    scope_terms: Mapped[str] = mapped_column(String(64), nullable=False)

    __table_args__ = (
        Index("ix_search_entry_kind_object", "kind", "object_id"),
        Index("ix_search_entry_case_id_entry_date", "case_id", "entry_date"),
        Index("ix_search_entry_indexed_at", "indexed_at"),
    )


class SearchTerm(Base):
    """One word of the indexed text, with the counts that bound a fuzzy look-up.

    One edit changes a word's length by at most one, and its count of characters other than
    digits by at most one. A word within n edits of a query word therefore has both counts
    within n of the query word's. The letter count keeps the many numbers of case files (amounts,
    phone fragments) out of the candidates of a word, and words out of those of a number.
    """

    __tablename__ = "search_term"

    term: Mapped[str] = mapped_column(String(MAX_TERM_LENGTH), primary_key=True)
    length: Mapped[int] = mapped_column(Integer, nullable=False)
    letters: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (Index("ix_search_term_letters_length", "letters", "length"),)


def letter_count(term: str) -> int:
    """Return the number of characters of ``term`` that are not the digits 0-9."""
    return sum(1 for char in term if char not in "0123456789")

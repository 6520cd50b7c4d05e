"""The vocabulary of indexed words, against which fuzzy terms are expanded.

A fuzzy term ``smiht~`` becomes the indexed words within its edit distance (Levenshtein), the
closest first, at most ``MAX_EXPANSIONS`` of them. The vocabulary covers every case, so the
expansion itself is never shown to the user: only results from visible cases are.
"""

from __future__ import annotations

from collections.abc import Iterable

from rigour.text.distance import levenshtein
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from casetrail.search.models import MAX_TERM_LENGTH, SearchTerm, letter_count

MAX_EXPANSIONS = 50
_INSERT_CHUNK = 500


def add_terms(session: Session, terms: Iterable[str]) -> None:
    """Add words to the vocabulary; words already present and over-long words are skipped."""
    fresh = sorted({term for term in terms if 0 < len(term) <= MAX_TERM_LENGTH})
    if not fresh:
        return
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    for start in range(0, len(fresh), _INSERT_CHUNK):
        rows = [
            {"term": term, "length": len(term), "letters": letter_count(term)}
            for term in fresh[start : start + _INSERT_CHUNK]
        ]
        session.execute(insert(SearchTerm).values(rows).on_conflict_do_nothing(index_elements=["term"]))


def clear(session: Session) -> None:
    session.execute(delete(SearchTerm))


def expand(session: Session, word: str, distance: int) -> list[str]:
    """Return ``word`` and the indexed words within ``distance`` edits of it, closest first."""
    if distance <= 0:
        return [word]
    letters = letter_count(word)
    candidates = session.execute(
        select(SearchTerm.term).where(
            SearchTerm.letters.between(letters - distance, letters + distance),
            SearchTerm.length.between(len(word) - distance, len(word) + distance),
        )
    ).scalars()
    scored = sorted(
        (edits, term)
        for term in candidates
        if term != word and (edits := levenshtein(word, term, max_edits=distance)) <= distance
    )
    return [word, *(term for _, term in scored[: MAX_EXPANSIONS - 1])]

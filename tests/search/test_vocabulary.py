"""Fuzzy expansion against the vocabulary: letter counts bound the candidates, never the result."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.db.engine import transaction
from casetrail.search import vocabulary
from casetrail.search.models import letter_count

WORDS = ["payment", "payments", "pavement", "repayment", "garage", "moonface", "a1b2"]
# Case files are full of numbers (amounts, phone fragments); a fuzzy word must still find words.
NUMBERS = [str(number) for number in range(10_000, 14_000)]


@pytest.fixture
def filled(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(factory) as session:
        vocabulary.add_terms(session, [*WORDS, *NUMBERS])
    return factory


def expand(factory: sessionmaker[Session], word: str, distance: int) -> list[str]:
    with transaction(factory) as session:
        return vocabulary.expand(session, word, distance)


@pytest.mark.parametrize(("term", "letters"), [("payment", 7), ("20451", 0), ("a1b2", 2), ("", 0)])
def test_letter_count_skips_digits(term: str, letters: int) -> None:
    assert letter_count(term) == letters


def test_typo_expands_to_words_within_distance(filled: sessionmaker[Session]) -> None:
    assert expand(filled, "paymetn", 2) == ["paymetn", "payment", "payments"]


def test_word_never_expands_to_numbers(filled: sessionmaker[Session]) -> None:
    assert not any(term.isdigit() for term in expand(filled, "garaeg", 2))


def test_number_expands_to_numbers(filled: sessionmaker[Session]) -> None:
    expanded = expand(filled, "10001", 1)
    assert expanded[:2] == ["10001", "10000"]
    assert all(term.isdigit() for term in expanded)


def test_expansion_capped(filled: sessionmaker[Session]) -> None:
    assert len(expand(filled, "10001", 2)) == vocabulary.MAX_EXPANSIONS


def test_mixed_word_reaches_word_one_edit_away(filled: sessionmaker[Session]) -> None:
    assert "a1b2" in expand(filled, "a1b3", 1)

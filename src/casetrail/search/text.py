"""Words as the index stores them, the same on SQLite and PostgreSQL.

A word is a run of letters and digits. Text is decomposed (NFKD), combining marks are dropped
and the rest is case-folded, so "Müller" and "MULLER" are both indexed as ``muller``. Both
engines receive the words already separated by single spaces, so their own tokenizers (FTS5
unicode61, PostgreSQL's default parser with the 'simple' configuration) find the same words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

WORD = re.compile(r"[^\W_]+")
_RUN = re.compile(r"\w+")


def fold(text: str) -> str:
    """Return ``text`` without diacritics and case-folded; the length may change."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.casefold()


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def normalize(text: str) -> str:
    """Return the words of ``text`` joined by single spaces: what the index stores."""
    return " ".join(words(text))


class Span(NamedTuple):
    """A word of the original text: its folded form and its character offsets in that text."""

    word: str
    start: int
    end: int


def spans(text: str) -> Iterator[Span]:
    """Yield the words of ``text`` with offsets into ``text`` itself, for highlighting."""
    if text.isascii():
        # Lower-casing ASCII keeps every offset, so the words can be read off directly.
        for match in WORD.finditer(text.lower()):
            yield Span(match.group(), match.start(), match.end())
        return
    for match in _RUN.finditer(text):
        for word in WORD.findall(fold(match.group())):
            # Folding may change a run's length ("ﬁ" becomes "fi"), so every word of a run
            # highlights the whole run.
            yield Span(word, match.start(), match.end())

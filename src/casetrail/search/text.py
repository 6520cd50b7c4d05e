"""Words as the index sees them, the same on SQLite and PostgreSQL.

A word is a run of letters and digits. Text is decomposed (NFKD), combining marks are dropped
and the rest is case-folded, so "Müller" and "MULLER" are both indexed as ``muller``. Both
engines receive the words already separated by single spaces, so their own tokenizers (FTS5
unicode61, PostgreSQL's default parser with the 'simple' configuration) find the same words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Return ``text`` without diacritics and case-folded; the length may change."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.casefold()


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def normalize(text: str) -> str:
    """Return the words of ``text`` joined by single spaces: what the index stores."""
    return " ".join(words(text))


@dataclass(frozen=True)
class Span:
    """A word of the original text: its folded form and its character offsets in that text."""

    word: str
    start: int
    end: int


def spans(text: str) -> Iterator[Span]:
    """Yield the words of ``text`` with offsets into ``text`` itself, for highlighting."""
    for match in re.finditer(r"\w+", text):
        for word in WORD.findall(fold(match.group())):
            # Folding may turn one original run into several words ("ǆ" into "dz" stays one,
            # "a_b" becomes two); every word of the run highlights the whole run.
            yield Span(word, match.start(), match.end())

"""Snippets: the part of a result's text with the most query matches, with match offsets.

Both engines get the same snippets, built here from the stored text, because highlighting by
the engines would differ (FTS5 sees only the normalised words, and ``ts_headline`` splits
e-mail addresses and hyphenated words differently). A snippet is plain text plus offsets; the
web page wraps the matches in ``<mark>`` after escaping the text, and the API returns offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from casetrail.search.compile import Highlighter
from casetrail.search.text import Span, spans

SNIPPET_WORDS = 32
ELLIPSIS = "…"
_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: tuple[tuple[int, int], ...]
    """Start and end offsets of each match in ``text``."""

    def segments(self) -> list[tuple[str, bool]]:
        """Split the text into (part, is_match) pairs, in order."""
        parts: list[tuple[str, bool]] = []
        position = 0
        for start, end in self.highlights:
            if start > position:
                parts.append((self.text[position:start], False))
            parts.append((self.text[start:end], True))
            position = end
        if position < len(self.text):
            parts.append((self.text[position:], False))
        return parts


def matched_spans(found: list[Span], highlighter: Highlighter) -> set[int]:
    """Return the indexes of the words in ``found`` that the query matches."""
    hits = {
        index
        for index, span in enumerate(found)
        if span.word in highlighter.words or span.word.startswith(highlighter.prefixes)
    }
    for phrase in highlighter.phrases:
        size = len(phrase.words)
        for index in range(len(found) - size + 1):
            window = [span.word for span in found[index : index + size]]
            if _phrase_matches(window, phrase.words, prefix=phrase.prefix):
                hits.update(range(index, index + size))
    return hits


def _phrase_matches(window: list[str], phrase: tuple[str, ...], *, prefix: bool) -> bool:
    if prefix:
        return window[:-1] == list(phrase[:-1]) and window[-1].startswith(phrase[-1])
    return window == list(phrase)


def build_snippet(text: str, highlighter: Highlighter, size: int = SNIPPET_WORDS) -> Snippet:
    """Cut ``size`` words around the densest run of matches out of ``text``."""
    found = list(spans(text))
    if not found:
        return Snippet(text[:200], ())
    hits = matched_spans(found, highlighter)
    first = _best_window(len(found), hits, size)
    last = min(len(found), first + size) - 1
    start = 0 if first == 0 else found[first].start
    end = len(text) if last == len(found) - 1 else found[last].end
    lead = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(text) else ""
    # Line breaks become spaces one for one, so the words keep their offsets.
    body = _WHITESPACE.sub(" ", text[start:end])
    highlights = _merge(
        (len(lead) + found[index].start - start, len(lead) + found[index].end - start)
        for index in sorted(hits)
        if first <= index <= last
    )
    return Snippet(lead + body + tail, highlights)


def _merge(ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Drop ranges that repeat or overlap the one before (several words of one run)."""
    merged: list[tuple[int, int]] = []
    for begin, finish in ranges:
        if merged and begin < merged[-1][1]:
            continue
        merged.append((begin, finish))
    return tuple(merged)


def _best_window(count: int, hits: set[int], size: int) -> int:
    """Return the first word of the window of ``size`` words holding the most hits."""
    if not hits:
        return 0
    ordered = sorted(hits)
    best, best_count = ordered[0], 0
    for anchor in ordered:
        inside = sum(1 for index in ordered if anchor <= index < anchor + size)
        if inside > best_count:
            best, best_count = anchor, inside
    # Start a few words before the first hit, so it is read in context.
    return max(0, min(best - size // 4, count - size))

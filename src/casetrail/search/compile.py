"""Translating a parsed query to an FTS5 MATCH expression and to a PostgreSQL tsquery.

Words reach both engines quoted (``"word"`` for FTS5, ``'word'`` for tsquery). They consist of
letters and digits only (``casetrail.search.text``), so no user input can add operators. Fuzzy
terms are expanded against the vocabulary first and become an OR of words.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from casetrail.search import vocabulary
from casetrail.search.syntax import And, Fuzzy, Node, Not, Or, Words


@dataclass(frozen=True)
class Highlighter:
    """The positive parts of a query, to mark in result text: words, prefixes and phrases."""

    words: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: tuple[Words, ...]


@dataclass(frozen=True)
class CompiledQuery:
    fts5: str
    tsquery: str
    highlighter: Highlighter


def compile_query(session: Session, expression: Node) -> CompiledQuery:
    expansions = {
        fuzzy: vocabulary.expand(session, fuzzy.word, fuzzy.distance) for fuzzy in _fuzzy_terms(expression)
    }
    return CompiledQuery(
        fts5=_fts5(expression, expansions),
        tsquery=_tsquery(expression, expansions),
        highlighter=_highlighter(expression, expansions),
    )


def _fuzzy_terms(node: Node) -> list[Fuzzy]:
    if isinstance(node, Fuzzy):
        return [node]
    if isinstance(node, Not):
        return _fuzzy_terms(node.part)
    if isinstance(node, And | Or):
        return [fuzzy for part in node.parts for fuzzy in _fuzzy_terms(part)]
    return []


def _fts5(node: Node, expansions: dict[Fuzzy, list[str]]) -> str:
    if isinstance(node, Words):
        phrase = '"' + " ".join(node.words) + '"'
        return f"{phrase} *" if node.prefix else phrase
    if isinstance(node, Fuzzy):
        return "(" + " OR ".join(f'"{word}"' for word in expansions[node]) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(_fts5(part, expansions) for part in node.parts) + ")"
    if isinstance(node, And):
        # FTS5 has only a binary NOT ("a NOT b"), so the negated parts of a group are subtracted
        # from the conjunction of its positive parts; the parser ensures there is one.
        positive = [_fts5(part, expansions) for part in node.parts if not isinstance(part, Not)]
        negative = [_fts5(part.part, expansions) for part in node.parts if isinstance(part, Not)]
        joined = "(" + " AND ".join(positive) + ")"
        if negative:
            joined = f"({joined} NOT ({' OR '.join(negative)}))"
        return joined
    raise ValueError(f"a negation must be part of an AND group: {node!r}")


def _tsquery(node: Node, expansions: dict[Fuzzy, list[str]]) -> str:
    if isinstance(node, Words):
        lexemes = [f"'{word}'" for word in node.words]
        if node.prefix:
            lexemes[-1] += ":*"
        return "(" + " <-> ".join(lexemes) + ")"
    if isinstance(node, Fuzzy):
        return "(" + " | ".join(f"'{word}'" for word in expansions[node]) + ")"
    if isinstance(node, Not):
        return "!" + _tsquery(node.part, expansions)
    if isinstance(node, Or):
        return "(" + " | ".join(_tsquery(part, expansions) for part in node.parts) + ")"
    return "(" + " & ".join(_tsquery(part, expansions) for part in node.parts) + ")"


def _highlighter(node: Node, expansions: dict[Fuzzy, list[str]]) -> Highlighter:
    words: set[str] = set()
    prefixes: list[str] = []
    phrases: list[Words] = []
    _collect(node, expansions, words, prefixes, phrases)
    return Highlighter(frozenset(words), tuple(prefixes), tuple(phrases))


def _collect(
    node: Node,
    expansions: dict[Fuzzy, list[str]],
    words: set[str],
    prefixes: list[str],
    phrases: list[Words],
) -> None:
    if isinstance(node, Not):
        return
    if isinstance(node, Fuzzy):
        words.update(expansions[node])
    elif isinstance(node, Words):
        if len(node.words) > 1:
            phrases.append(node)
        elif node.prefix:
            prefixes.append(node.words[0])
        else:
            words.add(node.words[0])
    else:
        for part in node.parts:
            _collect(part, expansions, words, prefixes, phrases)

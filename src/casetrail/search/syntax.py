"""The search query language: a small, strict parser with errors that name token and position.

Grammar (operators in upper case; a space between two parts means AND)::

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*
    unary    := ("NOT" | "-") unary | primary
    primary  := "(" or_expr ")" | PHRASE | TERM | FIELD ":" (WORD | PHRASE)

A TERM ending in ``*`` matches words that start with it (``transf*``). A TERM ending in ``~``,
``~1`` or ``~2`` also matches words within that many edits (``smiht~``). A FIELD filter
(``case:``, ``type:``, ``author:``, ``label:``, ``from:``, ``to:``) narrows the search like the
matching request parameter and may appear only at the top level, joined by AND.

NOT needs a positive partner in the same AND group (``fraud -bank``), because neither engine can
list "everything except": a query of negated parts alone, or ``a OR NOT b``, is rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from casetrail.core.errors import ValidationFailed
from casetrail.search.text import words

FIELDS = ("case", "type", "author", "label", "from", "to")
OPERATORS = ("AND", "OR", "NOT")
MAX_QUERY_LENGTH = 1000
MAX_PARTS = 64
MIN_PREFIX_LENGTH = 2
MAX_FUZZY_DISTANCE = 2
_FUZZY = re.compile(r"^(?P<stem>.+?)~(?P<distance>\d*)$")
_FIELD = re.compile(r"^(?P<name>[A-Za-z]+):(?P<rest>.*)$")


class QuerySyntaxError(ValidationFailed):
    """Raised for a query that does not parse; the message names the token and its position."""

    def __init__(self, message: str, *, position: int, parameter: str = "q") -> None:
        super().__init__(
            f"{message} (position {position + 1})", {parameter: f"{message} at position {position + 1}"}
        )
        self.position = position


# -- syntax tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """Words that must follow each other: one word, or a phrase; ``prefix`` applies to the last."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Fuzzy:
    word: str
    distance: int


@dataclass(frozen=True)
class Not:
    part: Node


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


Node = Words | Fuzzy | Not | And | Or


@dataclass(frozen=True)
class ParsedQuery:
    expression: Node
    filters: dict[str, list[str]] = field(default_factory=dict)
    """Field filters written in the query, by field name, in order."""


# -- tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "phrase", "field", "lparen", "rparen", "and", "or", "not"
    text: str
    position: int
    value: str = ""
    """The phrase's inner text, or a field filter's value."""


def _read_quoted(query: str, start: int) -> tuple[str, int]:
    """Return the text between the quote at ``start`` and its partner, and the index after it."""
    end = query.find('"', start + 1)
    if end < 0:
        raise QuerySyntaxError('unterminated phrase: add the closing "', position=start)
    return query[start + 1 : end], end + 1


def _read_bare(query: str, start: int) -> int:
    end = start
    while end < len(query) and not query[end].isspace() and query[end] not in '()"':
        end += 1
    return end


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(query):
        char = query[index]
        if char.isspace():
            index += 1
        elif char in "()":
            tokens.append(Token("lparen" if char == "(" else "rparen", char, index))
            index += 1
        elif char == '"':
            inner, after = _read_quoted(query, index)
            tokens.append(Token("phrase", query[index:after], index, inner))
            index = after
        elif char == "-" and index + 1 < len(query) and not query[index + 1].isspace():
            tokens.append(Token("not", "-", index))
            index += 1
        else:
            index = _read_word(query, index, tokens)
    return tokens


def _read_word(query: str, start: int, tokens: list[Token]) -> int:
    end = _read_bare(query, start)
    text = query[start:end]
    if text in OPERATORS:
        tokens.append(Token(text.lower(), text, start))
        return end
    match = _FIELD.match(text)
    if match is None:
        tokens.append(Token("word", text, start))
        return end
    name = match.group("name").lower()
    if name not in FIELDS:
        raise QuerySyntaxError(
            f"unknown field {match.group('name')!r}: use one of {', '.join(FIELDS)}, "
            f'or put the text in quotes to search for it ("{text}")',
            position=start,
        )
    value = match.group("rest")
    if not value and end < len(query) and query[end] == '"':
        value, end = _read_quoted(query, end)
    if not value.strip():
        raise QuerySyntaxError(f"field {name}: has no value: write {name}:VALUE", position=start)
    tokens.append(Token("field", query[start:end], start, value.strip()))
    return end


# -- parser ------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, query: str, tokens: list[Token]) -> None:
        self.query = query
        self.tokens = tokens
        self.index = 0
        self.filters: dict[str, list[str]] = {}
        self.parts = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> ParsedQuery:
        expression = self.or_expr(top=True)
        token = self.peek()
        if token is not None:
            raise QuerySyntaxError(
                f"unexpected {token.text!r}: a closing parenthesis has no partner", position=token.position
            )
        if expression is None:
            raise QuerySyntaxError("the query has no search terms, only field filters", position=0)
        _check_negation(expression, _NegationPositions(self.tokens))
        return ParsedQuery(expression, self.filters)

    def or_expr(self, *, top: bool = False) -> Node | None:
        parts = [self.and_expr(top=top)]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            parts.append(self.and_expr(top=False))
        if len(parts) == 1:
            return parts[0]
        if self.filters or any(part is None for part in parts):
            raise QuerySyntaxError(
                "field filters cannot be part of an OR: put them beside the query, "
                "for example (a OR b) type:note",
                position=0,
            )
        return Or(tuple(part for part in parts if part is not None))

    def and_expr(self, *, top: bool) -> Node | None:
        parts: list[Node] = []
        seen_operand = False
        pending_and: Token | None = None
        while (token := self.peek()) is not None and token.kind not in ("or", "rparen"):
            if token.kind == "and":
                if not seen_operand or pending_and is not None:
                    raise QuerySyntaxError("AND needs a term on each side", position=token.position)
                pending_and = self.take()
                continue
            if token.kind == "field":
                self.take()
                self.field(token, top=top)
            else:
                parts.append(self.unary())
            seen_operand = True
            pending_and = None
        if pending_and is not None:
            raise QuerySyntaxError("AND needs a term on each side", position=pending_and.position)
        if not seen_operand:
            _raise_missing_operand(token, len(self.query), top=top)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def field(self, token: Token, *, top: bool) -> None:
        if not top:
            raise QuerySyntaxError(
                f"field filter {token.text!r} must stand at the top level of the query, "
                "not inside parentheses, OR or NOT",
                position=token.position,
            )
        name = token.text.split(":", 1)[0].lower()
        self.filters.setdefault(name, []).append(token.value)

    def unary(self) -> Node:
        token = self.peek()
        if token is not None and token.kind == "not":
            self.take()
            operand = self.peek()
            if operand is None or operand.kind in ("rparen", "or", "and"):
                raise QuerySyntaxError(f"{token.text} needs a term after it", position=token.position)
            if operand.kind == "field":
                raise QuerySyntaxError(
                    f"field filter {operand.text!r} cannot be negated", position=operand.position
                )
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise QuerySyntaxError(
                f"the query has more than {MAX_PARTS} terms: shorten it", position=token.position
            )
        if token.kind == "lparen":
            inner = self.or_expr()
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise QuerySyntaxError("unclosed parenthesis: add the closing )", position=token.position)
            self.take()
            assert inner is not None  # or_expr below the top level raises instead of returning None
            return inner
        if token.kind == "phrase":
            return _phrase(token)
        if token.kind == "word":
            return _term(token)
        raise QuerySyntaxError(f"unexpected {token.text!r}", position=token.position)


def _raise_missing_operand(token: Token | None, end: int, *, top: bool) -> None:
    if token is None:
        raise QuerySyntaxError("the query ends where a term is expected", position=end)
    if token.kind == "or":
        raise QuerySyntaxError("OR needs a term on each side", position=token.position)
    if top:
        raise QuerySyntaxError(
            f"unexpected {token.text!r}: it closes no parenthesis", position=token.position
        )
    raise QuerySyntaxError("empty parentheses", position=token.position)


def _phrase(token: Token) -> Words:
    """Read a quoted phrase; a ``*`` at its end makes its last word a prefix ("wire trans*")."""
    inner = token.value.rstrip()
    prefix = inner.endswith("*")
    found = tuple(words(inner[:-1] if prefix else inner))
    if not found:
        raise QuerySyntaxError(
            f"phrase {token.text!r} contains no letters or digits", position=token.position
        )
    if prefix and len(found[-1]) < MIN_PREFIX_LENGTH:
        raise QuerySyntaxError(
            f"prefix in {token.text!r} is too short: give at least {MIN_PREFIX_LENGTH} letters before *",
            position=token.position,
        )
    return Words(found, prefix=prefix)


def _term(token: Token) -> Node:
    text = token.text
    fuzzy = _FUZZY.match(text)
    if fuzzy is not None:
        return _fuzzy(token, fuzzy.group("stem"), fuzzy.group("distance"))
    prefix = text.endswith("*")
    stem = text[:-1] if prefix else text
    if "*" in stem or "~" in stem:
        raise QuerySyntaxError(
            f"{text!r}: * and ~ may only end a term (prefix* or fuzzy~)", position=token.position
        )
    found = tuple(words(stem))
    if not found:
        raise QuerySyntaxError(f"term {text!r} contains no letters or digits", position=token.position)
    if prefix and len(found[-1]) < MIN_PREFIX_LENGTH:
        raise QuerySyntaxError(
            f"prefix {text!r} is too short: give at least {MIN_PREFIX_LENGTH} letters before *",
            position=token.position,
        )
    return Words(found, prefix=prefix)


def _fuzzy(token: Token, stem: str, distance_text: str) -> Fuzzy:
    found = words(stem)
    if len(found) != 1 or "*" in stem:
        raise QuerySyntaxError(f"fuzzy term {token.text!r} must be a single word", position=token.position)
    word = found[0]
    if distance_text:
        distance = int(distance_text)
        if not 1 <= distance <= MAX_FUZZY_DISTANCE:
            raise QuerySyntaxError(
                f"fuzzy distance in {token.text!r} must be 1 or {MAX_FUZZY_DISTANCE}", position=token.position
            )
    else:
        distance = default_distance(word)
    return Fuzzy(word, distance)


def default_distance(word: str) -> int:
    """Allow one edit in words of up to five letters and two in longer ones; none below three."""
    if len(word) < 3:
        return 0
    return 1 if len(word) <= 5 else 2


@dataclass(frozen=True)
class _NegationPositions:
    """The token positions that negation errors point at; the parsed tree keeps none."""

    tokens: list[Token]

    def _negations(self) -> list[int]:
        return [index for index, token in enumerate(self.tokens) if token.kind == "not"]

    def first(self) -> int:
        found = self._negations()
        return self.tokens[found[0]].position if found else 0

    def beside_or(self) -> int:
        for index in self._negations():
            if index > 0 and self.tokens[index - 1].kind == "or":
                return self.tokens[index].position
        return self.first()

    def doubled(self) -> int:
        for index in self._negations():
            if index > 0 and self.tokens[index - 1].kind == "not":
                return self.tokens[index].position
        return self.first()


def _check_negation(node: Node, where: _NegationPositions) -> None:
    """Reject negations that have no positive partner in their AND group (see the module docstring)."""
    if isinstance(node, Not):
        raise QuerySyntaxError(
            "the query needs at least one term that is not negated", position=where.first()
        )
    if isinstance(node, Or):
        for part in node.parts:
            if isinstance(part, Not):
                raise QuerySyntaxError(
                    "OR cannot join a negated term: write a -b c, not a OR -b", position=where.beside_or()
                )
            _check_negation(part, where)
    if isinstance(node, And):
        if all(isinstance(part, Not) for part in node.parts):
            raise QuerySyntaxError(
                "the query needs at least one term that is not negated", position=where.first()
            )
        for part in node.parts:
            inner = part.part if isinstance(part, Not) else part
            if isinstance(inner, Not):
                raise QuerySyntaxError("a double negation is not allowed", position=where.doubled())
            if isinstance(inner, And | Or):
                _check_negation(inner, where)


def parse_query(query: str) -> ParsedQuery:
    """Parse ``query``; raise ``QuerySyntaxError`` naming the first bad token and its position."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            f"the query is longer than {MAX_QUERY_LENGTH} characters", position=MAX_QUERY_LENGTH
        )
    tokens = tokenize(query)
    if not tokens:
        raise QuerySyntaxError("the query is empty: type a word to search for", position=0)
    return _Parser(query, tokens).parse()

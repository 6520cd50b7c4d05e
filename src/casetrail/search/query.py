"""The search SQL: full-text match, permission filter, filters, order and page in one statement.

The permission filter is part of the statement (a join to ``case_file`` with the policy's
condition), so counts and pages never include entries of cases the user may not see.

SQLite matches through the FTS5 table ``search_fts`` and ranks by ``bm25`` (title words weigh
4, body words 1; negated, because lower bm25 is better). PostgreSQL matches the generated
``search_fts_vector`` column with ``@@`` and ranks by ``ts_rank``. Higher scores are better on
both engines, but their scales differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    column,
    false,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from casetrail.auth.context import Actor
from casetrail.cases.access import visible_cases
from casetrail.cases.models import Case
from casetrail.search.compile import CompiledQuery
from casetrail.search.models import SearchEntry
from casetrail.search.request import CheckedRequest, SortOrder

_FTS = table("search_fts", column("rowid", Integer))
_VECTOR: ColumnElement[Any] = literal_column("search_entry.search_fts_vector")
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")


@dataclass(frozen=True)
class Match:
    """SQL with which one engine matches and scores entries for a compiled query."""

    condition: ColumnElement[bool]
    score: ColumnElement[float]
    uses_fts_table: bool


def engine_match(session: Session, compiled: CompiledQuery, scope: list[str] | None) -> Match:
    """Return the match of ``compiled``, narrowed to entries with one of the ``scope`` tokens.

    ``scope`` None does not narrow, and an empty ``scope`` matches nothing
    (``casetrail.search.scope``). Only the user's query is scored, so the tokens never change
    a score.
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        # Column weights: title 4, body 1, case token 0.
        score: ColumnElement[float] = -literal_column("bm25(search_fts, 4.0, 1.0, 0.0)", Float)
    else:
        ranked = func.to_tsquery(_SIMPLE, bindparam("ts_query", compiled.tsquery))
        score = func.ts_rank(_VECTOR, ranked)
    if scope == []:
        return Match(false(), score, uses_fts_table=sqlite)
    if sqlite:
        expression = compiled.fts5
        if scope is not None:
            # The tokens occur only in scope_terms, so the bare words select the rows that a
            # column filter would, and FTS5 has no column to check.
            tokens = " OR ".join('"' + token + '"' for token in scope)
            expression = f"({expression}) AND ({tokens})"
        condition = literal_column("search_fts").op("MATCH")(bindparam("fts_query", expression))
        return Match(condition, score, uses_fts_table=True)
    tsquery = compiled.tsquery
    if scope is not None:
        tokens = " | ".join("'" + token + "'" for token in scope)
        tsquery = f"({tsquery}) & ({tokens})"
    matched = func.to_tsquery(_SIMPLE, bindparam("ts_match_query", tsquery))
    return Match(_VECTOR.op("@@")(matched), score, uses_fts_table=False)


def use_custom_plans(session: Session) -> None:
    """Make PostgreSQL plan this transaction's statements for their actual parameters.

    psycopg prepares a statement on the server after five executions, and PostgreSQL may then
    switch to a generic plan. A generic plan cannot tell a word on every page from a rare one,
    and in the search benchmark it picked the case index for a common word, which turned a
    40 ms search into 380 ms. ``SET LOCAL`` ends with the transaction.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def visible_condition(session: Session, actor: Actor) -> ColumnElement[bool]:
    return visible_cases(session, actor)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_conditions(checked: CheckedRequest, case_id: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [SearchEntry.kind.in_(checked.kinds)]
    if case_id is not None:
        conditions.append(SearchEntry.case_id == case_id)
    if checked.lower is not None:
        conditions.append(SearchEntry.entry_date >= checked.lower)
    if checked.upper is not None:
        conditions.append(SearchEntry.entry_date < checked.upper)
    for author in checked.authors:
        pattern = f"%{_escape_like(author.lower())}%"
        conditions.append(func.lower(SearchEntry.author).like(pattern, escape="\\"))
    for label in checked.labels:
        pattern = f"%|{_escape_like(label.lower())}|%"
        conditions.append(func.lower(SearchEntry.labels).like(pattern, escape="\\"))
    return conditions


def _base(match: Match, visible: ColumnElement[bool], conditions: list[ColumnElement[bool]]) -> Select[int]:
    query = select(SearchEntry.id)
    if match.uses_fts_table:
        query = query.select_from(_FTS).join(SearchEntry, SearchEntry.id == _FTS.c.rowid)
    else:
        query = query.select_from(SearchEntry)
    query = query.join(Case, Case.id == SearchEntry.case_id)
    return query.where(and_(match.condition, visible, *conditions))


def count_matches(
    session: Session, match: Match, visible: ColumnElement[bool], conditions: list[ColumnElement[bool]]
) -> int:
    counted = select(func.count()).select_from(_base(match, visible, conditions).subquery())
    return int(session.execute(counted).scalar_one())


@dataclass(frozen=True)
class RankedPage:
    """The ids and scores of one page of matches, in order, and the number of all matches."""

    ids: list[int]
    scores: dict[int, float]
    total: int | None
    """None when the page is past the last match, so the statement returned no row to count."""


def rank_matches(
    session: Session,
    match: Match,
    visible: ColumnElement[bool],
    conditions: list[ColumnElement[bool]],
    checked: CheckedRequest,
) -> RankedPage:
    """Return the ids of the requested page and the total in one statement.

    Only ids, scores and dates pass through the sort, and the window count comes with the
    page, so the engine reads each match once and never carries page text through the sort.
    """
    # FTS5 computes bm25 only in the statement that matches, not in a window query, so the
    # window count runs over the matches as a subquery.
    matches = (
        _base(match, visible, conditions)
        .with_only_columns(SearchEntry.id, match.score.label("score"), SearchEntry.entry_date)
        .subquery("matches")
    )
    query = select(matches.c.id, matches.c.score, func.count().over().label("total"))
    if checked.sort == SortOrder.NEWEST:
        query = query.order_by(matches.c.entry_date.desc().nulls_last(), matches.c.id.desc())
    elif checked.sort == SortOrder.OLDEST:
        query = query.order_by(matches.c.entry_date.asc().nulls_last(), matches.c.id.asc())
    else:
        query = query.order_by(matches.c.score.desc(), matches.c.id.asc())
    rows = session.execute(query.limit(checked.page_size).offset(checked.offset)).all()
    return RankedPage(
        ids=[row.id for row in rows],
        scores={row.id: float(row.score) for row in rows},
        total=int(rows[0].total) if rows else None,
    )


def load_entries(session: Session, ids: list[int]) -> list[tuple[SearchEntry, str]]:
    """Return the entries with ``ids`` and their case numbers, in the order of ``ids``."""
    if not ids:
        return []
    rows = session.execute(
        select(SearchEntry, Case.number)
        .join(Case, Case.id == SearchEntry.case_id)
        .where(SearchEntry.id.in_(ids))
    ).all()
    by_id = {entry.id: (entry, number) for entry, number in rows}
    return [by_id[entry_id] for entry_id in ids if entry_id in by_id]

"""The blocking index: writing an entity's keys and finding the entities that share them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import ColumnElement, case, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from casetrail.entities.models import CaseEntity
from casetrail.entities.statements import build_proxy, live_statements, merge_redirects
from casetrail.xref.keys import STRONG_KINDS, BlockingKey, entity_keys
from casetrail.xref.models import MatchKey, WatchlistEntity

MAX_CANDIDATES = 30
"""Entities scored per look-up: those sharing the most keys, strong keys counted first."""


@dataclass(frozen=True, order=True)
class Side:
    """One entity as the index sees it: in a case, or in a watch-list."""

    case_id: str | None
    watchlist_id: str | None
    entity_id: str

    @property
    def token(self) -> str:
        if self.case_id is not None:
            return f"c:{self.case_id}:{self.entity_id}"
        return f"w:{self.watchlist_id}:{self.entity_id}"


@dataclass
class Hit:
    side: Side
    schema: str
    shared: list[BlockingKey] = field(default_factory=list)
    """Keys of the looked-up entity that this entity also has, with the looked-up entity's property."""

    @property
    def strong(self) -> list[BlockingKey]:
        return [key for key in self.shared if key.kind in STRONG_KINDS]


def case_proxy(session: Session, case_id: str, entity_id: str) -> EntityProxy | None:
    """Build the entity as its case sees it; None when it is gone or merged away."""
    row = session.get(CaseEntity, (case_id, entity_id))
    if row is None or row.merged_into is not None:
        return None
    statements = live_statements(session, case_id, entity_id)
    if not statements:
        return None
    return build_proxy(entity_id, row.schema, statements, merge_redirects(session, case_id))


def watchlist_proxy(session: Session, watchlist_id: str, entity_id: str) -> EntityProxy | None:
    row = session.get(WatchlistEntity, (watchlist_id, entity_id))
    if row is None:
        return None
    return model.get_proxy({"id": row.entity_id, "schema": row.schema, "properties": row.properties})


def side_proxy(session: Session, side: Side) -> EntityProxy | None:
    if side.case_id is not None:
        return case_proxy(session, side.case_id, side.entity_id)
    assert side.watchlist_id is not None
    return watchlist_proxy(session, side.watchlist_id, side.entity_id)


def replace_keys(session: Session, side: Side, proxy: EntityProxy | None) -> set[BlockingKey]:
    """Store the keys of ``proxy`` for ``side`` in place of the old ones; None removes them."""
    owner = _owner_condition(side)
    session.execute(delete(MatchKey).where(owner, MatchKey.entity_id == side.entity_id))
    if proxy is None:
        return set()
    keys = entity_keys(proxy)
    insert_keys(session, side, proxy.schema.name, keys)
    return keys


def insert_keys(session: Session, side: Side, schema: str, keys: Iterable[BlockingKey]) -> None:
    rows = [
        {
            "key": key.key,
            "prop": key.prop,
            "case_id": side.case_id,
            "watchlist_id": side.watchlist_id,
            "entity_id": side.entity_id,
            "schema": schema,
        }
        for key in keys
    ]
    if rows:
        session.execute(insert(MatchKey), rows)


def _owner_condition(side: Side) -> ColumnElement[bool]:
    if side.case_id is not None:
        return MatchKey.case_id == side.case_id
    return MatchKey.watchlist_id == side.watchlist_id


def lookup(session: Session, side: Side, keys: set[BlockingKey], limit: int = MAX_CANDIDATES) -> list[Hit]:
    """Find entities of other cases (and, for a case entity, of watch-lists) sharing a key.

    The ranking runs in SQL over the index rows of the given keys only: entities sharing
    more keys come first, and a strong key (identifier, phone, e-mail) outweighs any number
    of name keys.
    """
    if not keys:
        return []
    by_key = {key.key: key for key in keys}
    elsewhere = _elsewhere(side)
    is_strong = or_(*[MatchKey.key.like(f"{kind}:%") for kind in sorted(STRONG_KINDS)])
    strong = func.sum(case((is_strong, 1), else_=0))
    ranked = session.execute(
        select(MatchKey.case_id, MatchKey.watchlist_id, MatchKey.entity_id, func.min(MatchKey.schema))
        .where(MatchKey.key.in_(sorted(by_key)), elsewhere)
        .group_by(MatchKey.case_id, MatchKey.watchlist_id, MatchKey.entity_id)
        .order_by(strong.desc(), func.count().desc(), MatchKey.entity_id)
        .limit(limit)
    ).all()
    hits = {
        Side(case_id, watchlist_id, entity_id): Hit(Side(case_id, watchlist_id, entity_id), schema)
        for case_id, watchlist_id, entity_id, schema in ranked
    }
    for hit_side, key in _shared_keys(session, list(hits), sorted(by_key)):
        hits[hit_side].shared.append(by_key[key])
    return list(hits.values())


def _elsewhere(side: Side) -> ColumnElement[bool]:
    if side.case_id is not None:
        return or_(MatchKey.case_id.is_(None), MatchKey.case_id != side.case_id)
    return MatchKey.case_id.is_not(None)


def _shared_keys(session: Session, sides: list[Side], keys: list[str]) -> list[tuple[Side, str]]:
    if not sides:
        return []
    grouped: dict[tuple[str | None, str | None], list[str]] = defaultdict(list)
    for side in sides:
        grouped[(side.case_id, side.watchlist_id)].append(side.entity_id)
    found: list[tuple[Side, str]] = []
    for (case_id, watchlist_id), entity_ids in grouped.items():
        owner = MatchKey.case_id == case_id if case_id is not None else MatchKey.watchlist_id == watchlist_id
        rows = session.execute(
            select(MatchKey.entity_id, MatchKey.key)
            .where(owner, MatchKey.entity_id.in_(entity_ids), MatchKey.key.in_(keys))
            .distinct()
        ).all()
        found.extend((Side(case_id, watchlist_id, entity_id), key) for entity_id, key in rows)
    return found


def pair_order(left: Side, right: Side) -> tuple[Side, Side]:
    """Put the pair in stored order: a case entity on the left, then by token."""
    if left.case_id is None:
        return right, left
    if right.case_id is None:
        return left, right
    return (left, right) if left.token <= right.token else (right, left)

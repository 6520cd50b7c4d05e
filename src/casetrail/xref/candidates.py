"""Storing candidate pairs found by the follower and by batch linkage."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.xref.index import Side, pair_order
from casetrail.xref.models import Candidate

CANDIDATE_MIN_SCORE = 0.5
"""Pairs scoring below this are not stored unless they share a strong key."""
STORE_CHUNK = 2_000
"""Pairs ``store_candidates`` looks up and inserts per statement."""


@dataclass(frozen=True)
class ScoredPair:
    """A pair to store as a candidate, with the scorer's account of it."""

    one: Side
    other: Side
    schema: str
    score: float
    algorithm: str
    features: dict[str, Any]
    shared_keys: list[str]
    origin: str


def pair_key(left: Side, right: Side) -> str:
    first, second = pair_order(left, right)
    return hashlib.sha256(f"{first.token}|{second.token}".encode()).hexdigest()


def upsert_candidate(
    session: Session,
    one: Side,
    other: Side,
    *,
    schema: str,
    score: float,
    algorithm: str,
    features: dict[str, Any],
    shared_keys: list[str],
    origin: str,
) -> Candidate:
    """Create the candidate for a pair, or refresh its score; a decided status is kept."""
    key = pair_key(one, other)
    left, right = pair_order(one, other)
    assert left.case_id is not None
    candidate = session.execute(select(Candidate).where(Candidate.pair_key == key)).scalar_one_or_none()
    if candidate is None:
        candidate = Candidate(
            pair_key=key,
            left_case_id=left.case_id,
            left_entity_id=left.entity_id,
            right_case_id=right.case_id,
            right_watchlist_id=right.watchlist_id,
            right_entity_id=right.entity_id,
            status="open",
            created_at=utcnow(),
        )
        session.add(candidate)
    candidate.schema = schema
    candidate.score = round(score, 4)
    candidate.algorithm = algorithm
    candidate.features = features
    candidate.shared_keys = sorted(set(shared_keys))
    candidate.origin = origin
    candidate.updated_at = utcnow()
    return candidate


def candidate_sides(candidate: Candidate) -> tuple[Side, Side]:
    left = Side(candidate.left_case_id, None, candidate.left_entity_id)
    right = Side(candidate.right_case_id, candidate.right_watchlist_id, candidate.right_entity_id)
    return left, right


def store_candidates(session: Session, pairs: Iterable[ScoredPair]) -> int:
    """Store many pairs as ``upsert_candidate`` would, with one look-up and one insert per chunk.

    Batch linkage can write hundreds of thousands of pairs, too many for one query each.
    Returns the number of pairs stored.
    """
    stored = 0
    for chunk in _chunks(pairs, STORE_CHUNK):
        by_key = {pair_key(pair.one, pair.other): pair for pair in chunk}
        existing = session.execute(select(Candidate).where(Candidate.pair_key.in_(list(by_key)))).scalars()
        for candidate in existing:
            _refresh(candidate, by_key.pop(candidate.pair_key))
        if by_key:
            session.execute(insert(Candidate), [_new_row(key, pair) for key, pair in by_key.items()])
        stored += len(chunk)
    return stored


def _chunks(pairs: Iterable[ScoredPair], size: int) -> Iterator[Sequence[ScoredPair]]:
    iterator = iter(pairs)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _refresh(candidate: Candidate, pair: ScoredPair) -> None:
    candidate.schema = pair.schema
    candidate.score = round(pair.score, 4)
    candidate.algorithm = pair.algorithm
    candidate.features = pair.features
    candidate.shared_keys = sorted(set(pair.shared_keys))
    candidate.origin = pair.origin
    candidate.updated_at = utcnow()


def _new_row(key: str, pair: ScoredPair) -> dict[str, Any]:
    left, right = pair_order(pair.one, pair.other)
    assert left.case_id is not None
    now = utcnow()
    return {
        "id": new_id(),
        "pair_key": key,
        "left_case_id": left.case_id,
        "left_entity_id": left.entity_id,
        "right_case_id": right.case_id,
        "right_watchlist_id": right.watchlist_id,
        "right_entity_id": right.entity_id,
        "schema": pair.schema,
        "score": round(pair.score, 4),
        "algorithm": pair.algorithm,
        "features": pair.features,
        "shared_keys": sorted(set(pair.shared_keys)),
        "origin": pair.origin,
        "status": "open",
        "created_at": now,
        "updated_at": now,
    }

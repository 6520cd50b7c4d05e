"""Storing candidate pairs found by the follower and by batch linkage."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.core.clock import utcnow
from casetrail.xref.index import Side, pair_order
from casetrail.xref.models import Candidate

CANDIDATE_MIN_SCORE = 0.5
"""Pairs scoring below this are not stored unless they share a strong key."""


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

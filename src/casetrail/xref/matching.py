"""Pairwise scoring with nomenklatura's FtM-aware matchers.

The matchers compare names across scripts, word order and typos, birth dates, identifiers,
phones, e-mails and addresses, and explain a score by its features. Their first comparison
loads name and symbol tables (about 8 seconds on a 2-core machine), so long-running processes
call ``warm_up`` once when they start.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from nomenklatura.matching import LogicV2, RegressionV1
from nomenklatura.matching.types import ScoringAlgorithm, ScoringConfig

from casetrail.core.errors import ValidationFailed
from casetrail.core.logging import get_logger

log = get_logger(__name__)

ALGORITHMS: dict[str, type[ScoringAlgorithm]] = {
    LogicV2.NAME: LogicV2,
    RegressionV1.NAME: RegressionV1,
}
DEFAULT_ALGORITHM = LogicV2.NAME

_warm_lock = threading.Lock()
_warmed: set[str] = set()


@dataclass(frozen=True)
class Score:
    value: float
    algorithm: str
    features: dict[str, Any]
    """Feature name to {"score": float, "detail": str | None}, for features that contributed."""


def algorithm_for(name: str) -> type[ScoringAlgorithm]:
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise ValidationFailed(
            f"unknown matcher {name!r}: choose one of {', '.join(sorted(ALGORITHMS))}",
            {"algorithm": "unknown"},
        ) from None


def can_compare(left: EntityProxy, right: EntityProxy) -> bool:
    """Return True when both entities are of matchable schemata that can describe one thing."""
    return left.schema.matchable and right.schema.matchable and left.schema.can_match(right.schema)


def score_pair(left: EntityProxy, right: EntityProxy, algorithm: str = DEFAULT_ALGORITHM) -> Score:
    matcher = algorithm_for(algorithm)
    warm_up(algorithm)
    result = matcher.compare(left, right, ScoringConfig.defaults())
    features = {
        name: {"score": round(feature.score, 4), "detail": feature.detail}
        for name, feature in result.explanations.items()
        if feature.score != 0 or feature.detail
    }
    return Score(value=float(result.score), algorithm=algorithm, features=features)


def warm_up(algorithm: str = DEFAULT_ALGORITHM) -> None:
    """Load the matcher's tables now, once per process, so that the first real pair is fast."""
    if algorithm in _warmed:
        return
    with _warm_lock:
        if algorithm in _warmed:
            return
        sample = model.make_entity("Person")
        sample.id = "warm-up"
        sample.add("name", "Jane Doe")
        sample.add("birthDate", "1970-01-01")
        algorithm_for(algorithm).compare(sample, sample, ScoringConfig.defaults())
        _warmed.add(algorithm)
        log.info("matcher_warmed", algorithm=algorithm)

"""The cross-referencing follower: re-index and match every new or changed entity.

It reads the outbox in order with the cursor ``xref``. For each entity a batch of events
touches, it replaces the entity's blocking keys, looks up entities of other cases and of
watch-lists that share a key, scores each with the matcher, stores the candidates and creates
deconfliction notices. A loaded watch-list is screened against every case the same way from
the list's side. Events, index, candidates, notices and the cursor commit together, so a crash
repeats a batch rather than losing it.

The follower distinguishes two kinds of failure. An entity whose values the matcher cannot handle is skipped
and logged, so one bad entity cannot stall the follower. A failure of the database (lost
connection, lock timeout, a rejected write) propagates: the whole batch rolls back, the cursor
stays where it was, and the next run repeats the batch. Keys, candidates and notices are
replaced or upserted by their natural keys, so a repeated batch writes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy
from sqlalchemy import select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.service import AuditSource
from casetrail.core.logging import get_logger
from casetrail.db.engine import transaction
from casetrail.db.outbox import OutboxEvent, advance_cursor, get_cursor, read_events
from casetrail.xref.candidates import CANDIDATE_MIN_SCORE, upsert_candidate
from casetrail.xref.deconfliction import deconflict
from casetrail.xref.index import Hit, Side, case_proxy, lookup, replace_keys, side_proxy
from casetrail.xref.keys import BlockingKey, entity_keys
from casetrail.xref.matching import DEFAULT_ALGORITHM, can_compare, score_pair
from casetrail.xref.models import MatchKey, WatchlistEntity

log = get_logger(__name__)

CONSUMER = "xref"
SYSTEM_SOURCE = AuditSource(actor_id=None, actor_name="system:xref")
ENTITY_ERRORS = (ValueError, KeyError, TypeError, InvalidData, DataError)
"""Errors caused by one entity's values; ``DataError`` is a value a column cannot store."""


@dataclass
class XrefRun:
    """Counts of the work one call of ``run_xref`` did."""

    events: int = 0
    entities: int = 0
    candidates: int = 0
    notices: int = 0
    last_seq: int = 0
    failed: int = 0
    case_ids: set[str] = field(default_factory=set)


def run_xref(
    session_factory: sessionmaker[Session], limit: int = 500, *, algorithm: str = DEFAULT_ALGORITHM
) -> XrefRun:
    """Apply up to ``limit`` pending outbox events; return counts. Zero events means caught up."""
    run = XrefRun()
    with transaction(session_factory) as session:
        after = get_cursor(session, CONSUMER)
        events = read_events(session, after, limit)
        if not events:
            return run
        for target in _targets(events):
            _apply(session, target, run, algorithm)
        run.events = len(events)
        run.last_seq = events[-1].seq
        advance_cursor(session, CONSUMER, run.last_seq)
    log.info(
        "xref_batch_applied",
        events=run.events,
        last_seq=run.last_seq,
        entities=run.entities,
        candidates=run.candidates,
        notices=run.notices,
    )
    return run


def follow_until_caught_up(
    session_factory: sessionmaker[Session], limit: int = 500, *, algorithm: str = DEFAULT_ALGORITHM
) -> XrefRun:
    """Apply batches until no event is pending; return the summed counts."""
    total = XrefRun()
    while True:
        run = run_xref(session_factory, limit, algorithm=algorithm)
        if run.events == 0:
            return total
        total.events += run.events
        total.entities += run.entities
        total.candidates += run.candidates
        total.notices += run.notices
        total.last_seq = run.last_seq
        total.failed += run.failed
        total.case_ids |= run.case_ids


def _apply(session: Session, target: Side | str, run: XrefRun, algorithm: str) -> None:
    """Match one target inside a savepoint, so that one bad entity cannot stall the follower.

    An entity error is logged with the ids and the error's type (its message may quote case
    values), and the target is skipped until the entity changes again. Other errors, database
    errors among them, propagate and roll back the batch with the cursor.

    NOTE: audit entries and outbox events queued by the target before it failed are not
    removed by the savepoint rollback, so they still commit with the batch.
    """
    try:
        with session.begin_nested():
            if isinstance(target, Side):
                _match_case_entity(session, target, run, algorithm)
            else:
                _screen_watchlist(session, target, run, algorithm)
    except ENTITY_ERRORS as error:
        run.failed += 1
        if isinstance(target, Side):
            log.error(
                "xref_entity_failed",
                case_id=target.case_id,
                entity_id=target.entity_id,
                error_type=type(error).__name__,
            )
        else:
            log.error("xref_watchlist_failed", watchlist_id=target, error_type=type(error).__name__)


def _targets(events: list[OutboxEvent]) -> list[Side | str]:
    """Return the case entities and watch-lists the events touch, each once, in event order."""
    targets: dict[Side | str, None] = {}
    for event in events:
        if event.object_type == "entity" and event.case_id:
            targets[Side(event.case_id, None, event.object_id)] = None
        elif event.object_type == "entity_merge" and event.case_id:
            for name in ("winner_id", "loser_id"):
                entity_id = event.payload.get(name)
                if isinstance(entity_id, str):
                    targets[Side(event.case_id, None, entity_id)] = None
        elif event.object_type == "xref_watchlist":
            targets[event.object_id] = None
    return list(targets)


def _match_case_entity(session: Session, side: Side, run: XrefRun, algorithm: str) -> None:
    assert side.case_id is not None
    proxy = case_proxy(session, side.case_id, side.entity_id)
    keys = replace_keys(session, side, proxy)
    run.entities += 1
    run.case_ids.add(side.case_id)
    if proxy is None:
        return
    for hit in lookup(session, side, keys):
        _evaluate(session, side, proxy, hit, run=run, algorithm=algorithm)


def _screen_watchlist(session: Session, watchlist_id: str, run: XrefRun, algorithm: str) -> None:
    """Match every entity of a freshly loaded watch-list against the case entities."""
    entity_ids = session.execute(
        select(WatchlistEntity.entity_id).where(WatchlistEntity.watchlist_id == watchlist_id)
    ).scalars()
    for entity_id in list(entity_ids):
        side = Side(None, watchlist_id, entity_id)
        proxy = side_proxy(session, side)
        if proxy is None:
            continue
        run.entities += 1
        for hit in lookup(session, side, entity_keys(proxy)):
            _evaluate(session, side, proxy, hit, run=run, algorithm=algorithm)


def _evaluate(
    session: Session, side: Side, proxy: EntityProxy, hit: Hit, *, run: XrefRun, algorithm: str
) -> None:
    other_proxy = side_proxy(session, hit.side)
    if other_proxy is None:
        return
    strong = hit.strong
    score = score_pair(proxy, other_proxy, algorithm) if can_compare(proxy, other_proxy) else None
    if score is not None and (score.value >= CANDIDATE_MIN_SCORE or strong):
        upsert_candidate(
            session,
            side,
            hit.side,
            schema=_pair_schema(proxy, other_proxy),
            score=score.value,
            algorithm=score.algorithm,
            features=score.features,
            shared_keys=[key.prop for key in hit.shared],
            origin="xref",
        )
        run.candidates += 1
    if side.case_id is None or hit.side.case_id is None:
        return
    if not strong and (score is None or score.value < CANDIDATE_MIN_SCORE):
        return
    notices = deconflict(
        session,
        SYSTEM_SOURCE,
        one=side,
        one_proxy=proxy,
        other=hit.side,
        other_proxy=other_proxy,
        strong=strong,
        other_strong=_their_keys(session, hit.side, [key.key for key in strong]),
        match_score=score.value if score is not None else None,
    )
    run.notices += len(notices)


def _pair_schema(left: EntityProxy, right: EntityProxy) -> str:
    try:
        return str(model.common_schema(left.schema, right.schema).name)
    except InvalidData:
        # Schemata that can match but share no descendant, e.g. Person and Organization.
        return str(left.schema.name)


def _their_keys(session: Session, side: Side, keys: list[str]) -> list[BlockingKey]:
    if not keys:
        return []
    rows = session.execute(
        select(MatchKey.key, MatchKey.prop).where(
            MatchKey.case_id == side.case_id, MatchKey.entity_id == side.entity_id, MatchKey.key.in_(keys)
        )
    ).all()
    return [BlockingKey(key, prop) for key, prop in rows]

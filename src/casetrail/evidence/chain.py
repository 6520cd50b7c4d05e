"""The custody log hash chain of one item.

hash(n) = SHA-256( hash(n-1) || "\\n" || canonical_json(fields(n)) ), with hash(0) = 64 zeros and
``fields`` as ``CustodyEvent.hashed_fields`` returns them: the same construction as the audit
trail, so the same tools recompute both. The functions here need no database: package
verification runs them on the custody log inside an exported package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from casetrail.audit.chain import record_hash
from casetrail.db.ledger import GENESIS_HASH

HASHED_FIELDS = (
    "id",
    "item_id",
    "case_id",
    "seq",
    "event_type",
    "from_user_id",
    "from_location",
    "to_user_id",
    "to_location",
    "purpose",
    "occurred_at",
    "location",
    "seal_number",
    "condition",
    "notes",
    "recorded_by",
    "recorded_by_id",
    "recorded_at",
    "corrects_event_id",
    "details",
)


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    events_checked: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None


def event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return record_hash(prev_hash, {name: fields[name] for name in HASHED_FIELDS})


def check_chain(events: Iterable[Mapping[str, Any]], expected_head: str | None = None) -> ChainCheck:
    """Check the events of one item in ``seq`` order.

    Each mapping contains the hashed fields, ``prev_hash`` and ``hash``.

    ``expected_head`` is the head hash recorded elsewhere (on the item row); a mismatch means
    events at the end were removed.
    """
    prev_hash = GENESIS_HASH
    checked = 0
    for event in events:
        seq = int(event["seq"])
        problem = _check_event(event, checked + 1, prev_hash)
        if problem is not None:
            return ChainCheck(False, checked, prev_hash, seq, problem)
        prev_hash = str(event["hash"])
        checked += 1
    if expected_head is not None and expected_head != prev_hash:
        return ChainCheck(
            False,
            checked,
            prev_hash,
            checked + 1,
            f"the log ends at event {checked} but the item records a different newest event: "
            "events at the end were removed",
        )
    return ChainCheck(True, checked, prev_hash)


def _check_event(event: Mapping[str, Any], expected_seq: int, prev_hash: str) -> str | None:
    if int(event["seq"]) != expected_seq:
        return f"expected event {expected_seq} but found {event['seq']}: events were removed"
    if event["prev_hash"] != prev_hash:
        return "prev_hash does not match the previous event: events were removed or reordered"
    if event_hash(prev_hash, event) != event["hash"]:
        return "hash does not match the event's content: the event was changed"
    return None

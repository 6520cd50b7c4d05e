"""Verification of the audit chain from the first record to the ledger head.

Detects a changed record (its hash no longer matches its fields), a removed record (a gap in
``seq`` or a broken ``prev_hash`` link), a reordered pair (broken links), and a removed tail
(the last record does not match the ledger head).

NOTE: someone with write access to the database could rewrite the whole chain and the head
consistently. Publishing the head hash outside the database (``casetrail audit verify`` prints it)
and checking against it with ``--expect-head`` closes that gap for everything before the
published point: ``expect_head`` names a hash that must appear in the chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.chain import record_hash
from casetrail.audit.models import AuditRecord
from casetrail.db.ledger import GENESIS_HASH, LedgerHead

_BATCH = 5_000


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    records_checked: int
    head_hash: str
    first_bad_seq: int | None = None
    first_bad_id: str | None = None
    problem: str | None = None


def verify_chain(session: Session, expect_head: str | None = None) -> ChainReport:
    head = session.get(LedgerHead, 1)
    if head is None:
        return ChainReport(False, 0, GENESIS_HASH, problem="ledger head row is missing")

    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    last_seq = 0
    anchor_seen = expect_head is None
    while True:
        rows = list(
            session.execute(
                select(AuditRecord).where(AuditRecord.seq > last_seq).order_by(AuditRecord.seq).limit(_BATCH)
            ).scalars()
        )
        if not rows:
            break
        for row in rows:
            problem = _check_row(row, expected_seq, prev_hash)
            if problem is not None:
                return ChainReport(False, checked, head.audit_hash, row.seq, row.id, problem)
            prev_hash = row.hash
            anchor_seen = anchor_seen or row.hash == expect_head
            expected_seq += 1
            checked += 1
            last_seq = row.seq
        session.expunge_all()

    if checked != head.audit_seq or prev_hash != head.audit_hash:
        return ChainReport(
            False,
            checked,
            head.audit_hash,
            first_bad_seq=checked + 1,
            problem=(
                f"chain ends at record {checked} but the ledger head records "
                f"{head.audit_seq} records: records at the end were removed"
            ),
        )
    if not anchor_seen:
        return ChainReport(
            False,
            checked,
            head.audit_hash,
            problem=f"the published head hash {expect_head} is not in the chain: it was rewritten",
        )
    return ChainReport(True, checked, head.audit_hash)


def _check_row(row: AuditRecord, expected_seq: int, prev_hash: str) -> str | None:
    if row.seq != expected_seq:
        return f"expected record {expected_seq} but found {row.seq}: records were removed"
    if row.prev_hash != prev_hash:
        return "prev_hash does not match the previous record: records were removed or reordered"
    if record_hash(row.prev_hash, row.hashed_fields()) != row.hash:
        return "hash does not match the record's content: the record was changed"
    return None

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
    """Check every record from the first to the ledger head, in sequence order.

    Writers may commit while this runs. Records are read first and the head after them; the
    head's sequence number only counts committed records, so reading on up to it compares
    like with like without holding any lock.
    """
    scan = _ChainScan(expect_head)
    problem = scan.read(session, upto=None)
    head = session.execute(
        select(LedgerHead.audit_seq, LedgerHead.audit_hash).where(LedgerHead.id == 1)
    ).first()
    if head is None:
        return ChainReport(False, 0, GENESIS_HASH, problem="ledger head row is missing")
    head_seq, head_hash = head
    if problem is None and scan.checked < head_seq:
        problem = scan.read(session, upto=head_seq)
    if problem is not None:
        seq, record_id, message = problem
        return ChainReport(False, scan.checked, head_hash, seq, record_id, message)

    if scan.checked != head_seq or scan.prev_hash != head_hash:
        return ChainReport(
            False,
            scan.checked,
            head_hash,
            first_bad_seq=scan.checked + 1,
            problem=(
                f"chain ends at record {scan.checked} but the ledger head records "
                f"{head_seq} records: records at the end were removed"
            ),
        )
    if not scan.anchor_seen:
        return ChainReport(
            False,
            scan.checked,
            head_hash,
            problem=f"the published head hash {expect_head} is not in the chain: it was rewritten",
        )
    return ChainReport(True, scan.checked, head_hash)


class _ChainScan:
    """Running state of a verification: the next expected record and the hash to link to."""

    def __init__(self, expect_head: str | None) -> None:
        self.expect_head = expect_head
        self.anchor_seen = expect_head is None
        self.prev_hash = GENESIS_HASH
        self.checked = 0

    def read(self, session: Session, upto: int | None) -> tuple[int, str, str] | None:
        """Check records after the last one checked; return (seq, id, problem) at the first bad one."""
        while True:
            query = select(AuditRecord).where(AuditRecord.seq > self.checked)
            if upto is not None:
                query = query.where(AuditRecord.seq <= upto)
            rows = list(session.execute(query.order_by(AuditRecord.seq).limit(_BATCH)).scalars())
            if not rows:
                return None
            for row in rows:
                problem = _check_row(row, self.checked + 1, self.prev_hash)
                if problem is not None:
                    return row.seq, row.id, problem
                self.prev_hash = row.hash
                self.anchor_seen = self.anchor_seen or row.hash == self.expect_head
                self.checked += 1
            for row in rows:
                session.expunge(row)


def _check_row(row: AuditRecord, expected_seq: int, prev_hash: str) -> str | None:
    if row.seq != expected_seq:
        return f"expected record {expected_seq} but found {row.seq}: records were removed"
    if row.prev_hash != prev_hash:
        return "prev_hash does not match the previous record: records were removed or reordered"
    if record_hash(row.prev_hash, row.hashed_fields()) != row.hash:
        return "hash does not match the record's content: the record was changed"
    return None

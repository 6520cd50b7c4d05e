"""The ledger head: one row that orders every committed change.

Outbox events and audit records take their sequence numbers from this row while holding a row
lock (``SELECT ... FOR UPDATE`` on PostgreSQL, the database write lock on SQLite) until the
transaction commits. The next transaction can only read the head after that commit, so sequence
order equals commit order and has no gaps. A follower that stores the last sequence number it
applied therefore never misses a change that commits later with a smaller number.

The lock is taken in ``before_commit``, after the transaction's own work, so it is held for the
few statements that append the records and not for the whole request.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from casetrail.db.base import Base

GENESIS_HASH = "0" * 64


class LedgerHead(Base):
    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    audit_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    audit_hash: Mapped[str] = mapped_column(String(64), nullable=False, default=GENESIS_HASH)


def lock_head(session: Session) -> LedgerHead:
    """Lock and return the single ledger row; it is created by the first migration."""
    head = session.execute(
        select(LedgerHead).where(LedgerHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        raise RuntimeError("ledger_head row is missing: run `casetrail init` to migrate the database")
    return head

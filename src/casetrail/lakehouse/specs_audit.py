"""The audit trail table. It follows the audit trail's own gap-free sequence, not the outbox."""

from __future__ import annotations

from typing import Any

from pyiceberg.transforms import DayTransform
from sqlalchemy import Select, select

from casetrail.audit.models import AuditRecord
from casetrail.lakehouse.spec import Access, Partition, Stream, TableSpec


def _audit_source() -> Select[Any]:
    return select(*AuditRecord.__table__.columns)


# Partitioned by day: oversight asks for periods ("every cross-case search last month"), and
# the trail only grows at its newest day, so old partitions are never rewritten.
AUDIT = TableSpec(
    name="audit",
    description="The hash-chained audit trail, append-only; readable by auditors only.",
    source=_audit_source,
    key=("seq",),
    partitions=(Partition("at", DayTransform(), "at_day"),),
    stream=Stream.AUDIT,
    access=Access.AUDIT,
)

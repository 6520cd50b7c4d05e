"""Every lakehouse table, in the order the sync applies them.

To add a context's tables: write ``TableSpec`` values in a ``specs_<context>.py`` module (a
source query, a key, the outbox object types followed and the rows an event refreshes) and
list them here. ``casetrail lakehouse sync`` creates the new tables on its next start, and
``casetrail lakehouse rebuild`` fills them from the store.
"""

from __future__ import annotations

from casetrail.core.errors import ValidationFailed
from casetrail.lakehouse.spec import Stream, TableSpec
from casetrail.lakehouse.specs_audit import AUDIT
from casetrail.lakehouse.specs_cases import CASE_MEMBERS, CASES, NOTES, TASKS
from casetrail.lakehouse.specs_entities import ENTITIES, RELATIONSHIPS, STATEMENTS
from casetrail.lakehouse.specs_evidence import CUSTODY_EVENTS, EVIDENCE_FILES, EVIDENCE_ITEMS

TABLES: tuple[TableSpec, ...] = (
    CASES,
    CASE_MEMBERS,
    ENTITIES,
    STATEMENTS,
    RELATIONSHIPS,
    NOTES,
    TASKS,
    EVIDENCE_ITEMS,
    CUSTODY_EVENTS,
    EVIDENCE_FILES,
    AUDIT,
)

BY_NAME: dict[str, TableSpec] = {spec.name: spec for spec in TABLES}


def outbox_tables() -> list[TableSpec]:
    return [spec for spec in TABLES if spec.stream == Stream.OUTBOX]


def spec_named(name: str) -> TableSpec:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValidationFailed(
            f"unknown lakehouse table {name!r}: choose one of {', '.join(BY_NAME)}", {"table": "unknown"}
        ) from None

"""Tables of the evidence context: items, their custody events and their digital files."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from casetrail.db.outbox import OutboxEvent
from casetrail.evidence.models import CustodyEvent, EvidenceFile, EvidenceItem
from casetrail.lakehouse.spec import Selection, TableSpec


def _item_refresh(event: OutboxEvent) -> list[Selection]:
    # A custody event changes the item's cached custodian and status as well.
    if event.object_type == "evidence_item":
        item_id = event.object_id
    else:
        item_id = str((event.payload or {}).get("item_id", ""))
    return [Selection("id", frozenset([item_id]))] if item_id else []


def _by_object_id(event: OutboxEvent) -> list[Selection]:
    return [Selection("id", frozenset([event.object_id]))]


def _items_source() -> Select[Any]:
    return select(*EvidenceItem.__table__.columns)


def _custody_source() -> Select[Any]:
    return select(*CustodyEvent.__table__.columns)


def _files_source() -> Select[Any]:
    return select(*EvidenceFile.__table__.columns)


EVIDENCE_ITEMS = TableSpec(
    name="evidence_items",
    description="Evidence items: number, category, how and when obtained, status and custodian.",
    source=_items_source,
    key=("id",),
    follows=frozenset({"evidence_item", "custody_event"}),
    refresh=_item_refresh,
)

CUSTODY_EVENTS = TableSpec(
    name="custody_events",
    description="The chain of custody, one row per event, with its hash chain.",
    source=_custody_source,
    key=("id",),
    follows=frozenset({"custody_event"}),
    refresh=_by_object_id,
)

EVIDENCE_FILES = TableSpec(
    name="evidence_files",
    description="Digital evidence files of items: SHA-256, size, media type and kind.",
    source=_files_source,
    key=("id",),
    follows=frozenset({"evidence_file"}),
    refresh=_by_object_id,
)

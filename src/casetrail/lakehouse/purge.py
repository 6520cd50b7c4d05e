"""Purging records everywhere a copy lives: the store and every lakehouse snapshot.

Steps, all under the lakehouse writer lock so no sync or maintenance interleaves:

1. Check the records exist in the case and that the actor may purge there (the policy's
   supervise permission; the local operator may).
2. In each affected table: delete the rows in one commit and close it with an empty append,
   which drops the manifest of deleted entries (its column bounds could hold purged values),
   then expire every earlier snapshot and remove every file the table no longer refers to:
   old data files, manifests, manifest lists and metadata files.
3. In one store transaction: delete the records, emit outbox events so other followers drop
   their copies, and append the purge certificate to the audit trail: ids and SHA-256 digests
   of the removed values, the snapshots expired and the files deleted.

The audit trail stays append-only: the purge adds a record and removes none.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

from pyiceberg.table import Table
from sqlalchemy import select

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import open_case
from casetrail.cases.models import Note
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.core.ids import new_id
from casetrail.core.logging import get_logger
from casetrail.db.engine import transaction
from casetrail.entities.models import CaseEntity
from casetrail.lakehouse.files import delete_files, orphan_files
from casetrail.lakehouse.maintenance import expire_snapshots_before
from casetrail.lakehouse.purge_store import RemovedRecords, purge_entities, purge_notes
from casetrail.lakehouse.registry import spec_named
from casetrail.lakehouse.runtime import Lakehouse
from casetrail.lakehouse.spec import Selection, iceberg_filter
from casetrail.lakehouse.tables import SEQ_PROPERTY, applied_seq, load_table

log = get_logger(__name__)

PURGE_PROPERTY = "casetrail.purge-id"


@dataclass(frozen=True)
class PurgeRequest:
    case_number: str
    entity_ids: list[str] = field(default_factory=list)
    note_ids: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass
class PurgeCertificate:
    purge_id: str
    case_id: str
    case_number: str
    reason: str
    removed: RemovedRecords
    expired_snapshots: dict[str, list[int]] = field(default_factory=dict)
    deleted_files: dict[str, list[str]] = field(default_factory=dict)

    def as_detail(self) -> dict[str, Any]:
        return {
            "purge_id": self.purge_id,
            "case_number": self.case_number,
            "reason": self.reason,
            "removed": self.removed.as_detail(),
            "expired_snapshots": self.expired_snapshots,
            "deleted_files": self.deleted_files,
        }


def purge(lake: Lakehouse, ctx: RequestContext, request: PurgeRequest) -> PurgeCertificate:
    """Purge entities and notes of one case from the store and the lakehouse."""
    if not request.reason.strip():
        raise ValidationFailed(
            "a reason is required for a purge, e.g. the court order", {"reason": "missing"}
        )
    if not (request.entity_ids or request.note_ids):
        raise ValidationFailed("name at least one entity or note to purge", {"entity": "missing"})
    case_id, entity_ids = _check_targets(lake, ctx, request)
    certificate = PurgeCertificate(
        purge_id=new_id(),
        case_id=case_id,
        case_number=request.case_number,
        reason=request.reason.strip(),
        removed=RemovedRecords(),
    )
    log.info("lakehouse_purge_started", purge_id=certificate.purge_id, case_id=case_id)
    with lake.writer_lock():
        for name, selections in _lakehouse_selections(case_id, entity_ids, request.note_ids).items():
            _purge_table(lake, name, selections, certificate)
        with transaction(lake.factory) as session:
            purge_entities(session, case_id, entity_ids, certificate.removed)
            purge_notes(session, case_id, request.note_ids, certificate.removed)
            record(
                session,
                ctx.audit_source,
                AuditAction.LAKEHOUSE_PURGE,
                object_type="case",
                object_id=case_id,
                case_id=case_id,
                detail=certificate.as_detail(),
            )
    log.info(
        "lakehouse_purge_done",
        purge_id=certificate.purge_id,
        case_id=case_id,
        statements=len(certificate.removed.statements),
        notes=len(certificate.removed.notes),
        files=sum(len(paths) for paths in certificate.deleted_files.values()),
    )
    return certificate


def _check_targets(lake: Lakehouse, ctx: RequestContext, request: PurgeRequest) -> tuple[str, frozenset[str]]:
    """Authorize the purge and return the case id with the entity ids to purge.

    The entity ids include those merged into a named entity: their case entity rows and
    statements show it, so they go with it.
    """
    with transaction(lake.factory) as session:
        access = open_case(session, ctx, request.case_number, CasePermission.SUPERVISE, "lakehouse.purge")
        case_id = access.case.id
        for entity_id in request.entity_ids:
            if session.get(CaseEntity, (case_id, entity_id)) is None:
                raise NotFound(f"entity {entity_id} not found in case {request.case_number}")
        for note_id in request.note_ids:
            note = session.get(Note, note_id)
            if note is None or note.case_id != case_id:
                raise NotFound(f"note {note_id} not found in case {request.case_number}")
        merged = session.execute(
            select(CaseEntity.entity_id).where(
                CaseEntity.case_id == case_id, CaseEntity.merged_into.in_(request.entity_ids)
            )
        ).scalars()
        entity_ids = frozenset([*request.entity_ids, *merged])
    return case_id, entity_ids


def _lakehouse_selections(
    case_id: str, entities: frozenset[str], note_ids: list[str]
) -> dict[str, list[Selection]]:
    # Filters use columns that are never null. PyIceberg 0.12 kept a matching row when an OR
    # term of the delete filter compared a null column (seen with entities.merged_into).
    notes = frozenset(note_ids)
    selections: dict[str, list[Selection]] = {}
    if entities:
        by_entity = [
            Selection("entity_id", entities, case_id=case_id),
            Selection("canonical_id", entities, case_id=case_id),
        ]
        selections["statements"] = by_entity
        selections["relationships"] = by_entity
        selections["entities"] = [Selection("entity_id", entities, case_id=case_id)]
    if notes:
        selections["notes"] = [Selection("id", notes)]
    return selections


def _purge_table(
    lake: Lakehouse, name: str, selections: list[Selection], certificate: PurgeCertificate
) -> None:
    spec = spec_named(name)
    table = load_table(lake.catalog, lake.config, spec)
    if table is None or table.current_snapshot() is None:
        return
    properties = {SEQ_PROPERTY: str(applied_seq(table)), PURGE_PROPERTY: certificate.purge_id}
    _delete_and_seal(table, iceberg_filter(selections, spec.case_column), properties)
    certificate.expired_snapshots[name] = expire_snapshots_before(table, None)
    orphans = orphan_files(table, older_than=None)
    delete_files(table, orphans)
    certificate.deleted_files[name] = sorted(stored.path for stored in orphans)


def _delete_and_seal(table: Table, delete_filter: Any, properties: dict[str, str]) -> None:
    """Delete matching rows, then commit an empty append in the same transaction.

    PyIceberg records the files a delete removes in a manifest of deleted entries, with their
    column bounds. An append carries forward only manifests that list live files, so the
    empty append leaves that manifest out of the table's current snapshot.
    """
    transaction = table.transaction()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Delete operation did not match any records")
        transaction.delete(delete_filter, snapshot_properties=properties)
    with transaction.update_snapshot(snapshot_properties=properties).fast_append():
        pass
    transaction.commit_transaction()

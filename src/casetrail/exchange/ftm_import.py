"""Import of FollowTheMoney entity JSON (one entity per line, as Aleph and OpenSanctions publish it).

The whole file is imported in one transaction: an error on any line raises ``ImportFailed``
naming the line and the property, and the caller's rollback leaves nothing of the file behind.
Lines are read one at a time, so memory grows with the number of entity references checked at
the end, not with the file.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from followthemoney import model
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import ensure_not_frozen, open_case
from casetrail.core.clock import utcnow
from casetrail.core.errors import ImportFailed
from casetrail.core.ids import new_id
from casetrail.core.logging import get_logger
from casetrail.db.outbox import emit
from casetrail.entities.models import CaseEntity, Entity, ImportBatch, Statement
from casetrail.entities.schema import EntityDataError, check_reference_range, clean_entity
from casetrail.entities.statements import SourceType, refresh_case_entity

log = get_logger(__name__)

MAX_LINE_BYTES = 16 * 1024 * 1024
_FLUSH_EVERY = 1_000


@dataclass
class ImportReport:
    batch_id: str
    file_name: str
    sha256: str
    lines: int = 0
    entities: int = 0
    statements: int = 0
    schemata: Counter[str] = field(default_factory=Counter)
    skipped_values: list[tuple[int, str, str]] = field(default_factory=list)
    """Values left out with ``skip_invalid_values``, as (line, property, reason)."""
    dangling_references: int = 0
    """References to entities that are neither in the file nor in the case (kept as ids)."""


@dataclass
class _Reference:
    line: int
    schema: str
    prop: str
    target: str


def import_ftm(
    session: Session,
    ctx: RequestContext,
    number: str,
    stream: IO[bytes],
    *,
    file_name: str,
    skip_invalid_values: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    access = open_case(session, ctx, number, CasePermission.WRITE, "import.ftm", lock=True)
    case = access.case
    ensure_not_frozen(case)

    batch = ImportBatch(
        id=new_id(),
        case_id=case.id,
        format="ftm",
        file_name=file_name[:500],
        sha256="",
        imported_by=ctx.actor.username,
    )
    session.add(batch)
    session.flush()
    report = ImportReport(batch_id=batch.id, file_name=file_name, sha256="")
    digest = hashlib.sha256()

    schemata: dict[str, str] = {}
    references: list[_Reference] = []
    pending: list[dict[str, Any]] = []
    now = utcnow()
    for line_no, data in _read_lines(stream, digest):
        report.lines = line_no
        entity = _clean_line(line_no, data, skip_invalid_values, report)
        known = schemata.get(entity.id)
        if known is not None and known != entity.schema.name:
            entity.schema = model.get(_combine(line_no, known, entity.schema.name))
        schemata[entity.id] = entity.schema.name
        references.extend(
            _Reference(line_no, entity.schema.name, value.prop, value.value) for value in entity.references()
        )
        pending.extend(
            {
                "id": new_id(),
                "entity_id": entity.id,
                "canonical_id": entity.id,
                "case_id": case.id,
                "schema": entity.schema.name,
                "prop": value.prop,
                "prop_type": value.prop_type,
                "value": value.value,
                "original_value": value.original,
                "source_type": SourceType.IMPORT.value,
                "source_id": batch.id,
                "recorded_by": ctx.actor.username,
                "recorded_by_id": ctx.actor.user_id,
                "recorded_at": now,
            }
            for value in entity.values
        )
        if len(pending) >= _FLUSH_EVERY:
            _flush(session, case.id, schemata, pending, report)
        if on_progress is not None:
            on_progress(line_no)
    if report.lines == 0:
        raise ImportFailed(f"{file_name} contains no entities", line=None)
    _flush(session, case.id, schemata, pending, report)
    _check_references(session, case.id, schemata, references, report)

    for entity_id in schemata:
        row = session.get(CaseEntity, (case.id, entity_id))
        assert row is not None
        refresh_case_entity(session, row)
        emit(
            session,
            object_type="entity",
            object_id=entity_id,
            operation="update",
            case_id=case.id,
            payload={"import_batch_id": batch.id},
        )
    report.entities = len(schemata)
    report.schemata = Counter(schemata.values())
    report.sha256 = digest.hexdigest()
    batch.sha256 = report.sha256
    batch.entity_count = report.entities
    batch.statement_count = report.statements
    session.flush()

    record(
        session,
        ctx.audit_source,
        AuditAction.IMPORT_FTM,
        object_type="import_batch",
        object_id=batch.id,
        case_id=case.id,
        detail={
            "sha256": report.sha256,
            "entities": report.entities,
            "statements": report.statements,
            "skipped_values": len(report.skipped_values),
        },
    )
    emit(session, object_type="import_batch", object_id=batch.id, operation="create", case_id=case.id)
    log.info(
        "ftm_import_done",
        case_id=case.id,
        batch_id=batch.id,
        entities=report.entities,
        statements=report.statements,
    )
    return report


def _read_lines(stream: IO[bytes], digest: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    line_no = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        line_no += 1
        digest.update(raw)
        if len(raw) > MAX_LINE_BYTES:
            raise ImportFailed(f"line {line_no}: longer than {MAX_LINE_BYTES} bytes", line=line_no)
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except UnicodeDecodeError:
            raise ImportFailed(f"line {line_no}: not UTF-8 text", line=line_no) from None
        except json.JSONDecodeError as error:
            raise ImportFailed(
                f"line {line_no}: invalid JSON at column {error.colno}: {error.msg}", line=line_no
            ) from None
        if not isinstance(data, dict):
            raise ImportFailed(f"line {line_no}: expected a JSON object (one entity)", line=line_no)
        yield line_no, data


def _clean_line(line_no: int, data: dict[str, Any], skip_invalid: bool, report: ImportReport) -> Any:
    try:
        entity = clean_entity(
            data.get("id"),
            data.get("schema"),
            data.get("properties", {}),
            skip_invalid_values=skip_invalid,
        )
    except EntityDataError as error:
        raise ImportFailed(f"line {line_no}: {error.message}", line=line_no, field=error.field) from None
    report.skipped_values.extend((line_no, prop, reason) for prop, reason in entity.skipped)
    return entity


def _combine(line_no: int, left: str, right: str) -> str:
    try:
        return model.common_schema(left, right).name
    except Exception:
        raise ImportFailed(
            f"line {line_no}: the entity appears earlier as {left} and here as {right}",
            line=line_no,
            field="schema",
        ) from None


def _flush(
    session: Session,
    case_id: str,
    schemata: dict[str, str],
    pending: list[dict[str, Any]],
    report: ImportReport,
) -> None:
    if not pending:
        return
    ids = {row["entity_id"] for row in pending}
    existing = set(session.execute(select(Entity.id).where(Entity.id.in_(ids))).scalars())
    new_ids = ids - existing
    if new_ids:
        session.execute(insert(Entity), [{"id": entity_id, "created_at": utcnow()} for entity_id in new_ids])
    in_case = {
        row.entity_id: row
        for row in session.execute(
            select(CaseEntity).where(CaseEntity.case_id == case_id, CaseEntity.entity_id.in_(ids))
        ).scalars()
    }
    for entity_id in ids:
        row = in_case.get(entity_id)
        if row is None:
            session.add(
                CaseEntity(case_id=case_id, entity_id=entity_id, schema=schemata[entity_id], caption="")
            )
        elif row.merged_into is not None:
            raise ImportFailed(
                f"entity {entity_id} was merged into {row.merged_into} in this case; "
                "import its facts under that id",
                field="id",
            )
        else:
            combined = model.common_schema(row.schema, schemata[entity_id]).name
            row.schema = combined
            schemata[entity_id] = combined
    session.execute(insert(Statement), pending)
    report.statements += len(pending)
    pending.clear()
    session.flush()


def _check_references(
    session: Session,
    case_id: str,
    schemata: dict[str, str],
    references: list[_Reference],
    report: ImportReport,
) -> None:
    outside = {ref.target for ref in references if ref.target not in schemata}
    case_schemata: dict[str, str] = {}
    if outside:
        for chunk in _chunks(sorted(outside), 500):
            case_schemata.update(
                session.execute(
                    select(CaseEntity.entity_id, CaseEntity.schema).where(
                        CaseEntity.case_id == case_id, CaseEntity.entity_id.in_(chunk)
                    )
                ).all()
            )
    for ref in references:
        target_schema = schemata.get(ref.target) or case_schemata.get(ref.target)
        if target_schema is None:
            report.dangling_references += 1
            continue
        schema = model.get(ref.schema)
        assert schema is not None
        try:
            check_reference_range(schema, ref.prop, target_schema)
        except EntityDataError as error:
            raise ImportFailed(f"line {ref.line}: {error.message}", line=ref.line, field=ref.prop) from None


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_ftm_file(
    session: Session, ctx: RequestContext, number: str, path: Path, **options: Any
) -> ImportReport:
    with path.open("rb") as stream:
        return import_ftm(session, ctx, number, stream, file_name=path.name, **options)

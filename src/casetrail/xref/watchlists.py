"""Watch-lists: FtM entity files (such as OpenSanctions exports) kept outside every case.

A load replaces the list's previous version in one transaction, and only after the whole file
has been read and checked: an empty, truncated or malformed file raises ``ImportFailed`` and
leaves the previous version in place. Values that do not clean for their FtM type (published
lists contain a few malformed phone numbers) are left out and counted, as ``import ftm
--skip-invalid-values`` does.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.core.clock import utcnow
from casetrail.core.errors import ImportFailed, NotFound, ValidationFailed
from casetrail.core.logging import get_logger
from casetrail.db.outbox import emit
from casetrail.entities.schema import EntityDataError, clean_entity
from casetrail.xref.index import Side, insert_keys
from casetrail.xref.keys import entity_keys
from casetrail.xref.models import MatchKey, Watchlist, WatchlistEntity

log = get_logger(__name__)

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MAX_LINE_BYTES = 16 * 1024 * 1024


@dataclass
class LoadReport:
    name: str
    version: int
    file_name: str
    sha256: str
    lines: int = 0
    entities: int = 0
    skipped_values: int = 0
    schemata: dict[str, int] = field(default_factory=dict)


def load_watchlist(
    session: Session, ctx: RequestContext, name: str, stream: IO[bytes], *, file_name: str
) -> LoadReport:
    """Replace watch-list ``name`` with the entities of an FtM JSON-lines stream."""
    policy.require_watchlist_load(ctx)
    if not NAME_PATTERN.match(name):
        raise ValidationFailed(
            f"invalid watch-list name {name!r}: use up to 64 lower-case letters, digits, '_', '.' or '-'",
            {"name": "invalid"},
        )
    digest = hashlib.sha256()
    entities, report = _read_entities(stream, digest, name, file_name)
    report.sha256 = digest.hexdigest()

    watchlist = session.execute(
        select(Watchlist).where(Watchlist.name == name).with_for_update()
    ).scalar_one_or_none()
    if watchlist is None:
        watchlist = Watchlist(name=name, version=0, file_name="", sha256="", loaded_by="")
        session.add(watchlist)
        session.flush()
    session.execute(delete(MatchKey).where(MatchKey.watchlist_id == watchlist.id))
    session.execute(delete(WatchlistEntity).where(WatchlistEntity.watchlist_id == watchlist.id))
    _store(session, watchlist.id, entities)
    watchlist.version += 1
    watchlist.file_name = file_name[:500]
    watchlist.sha256 = report.sha256
    watchlist.entity_count = len(entities)
    watchlist.loaded_by = ctx.actor.username
    watchlist.loaded_at = utcnow()
    session.flush()
    report.version = watchlist.version

    record(
        session,
        ctx.audit_source,
        AuditAction.WATCHLIST_LOAD,
        object_type="xref_watchlist",
        object_id=watchlist.id,
        detail={
            "name": name,
            "version": watchlist.version,
            "sha256": report.sha256,
            "entities": report.entities,
        },
    )
    emit(session, object_type="xref_watchlist", object_id=watchlist.id, operation="update")
    log.info(
        "watchlist_loaded", watchlist_id=watchlist.id, version=watchlist.version, entities=report.entities
    )
    return report


def load_watchlist_file(session: Session, ctx: RequestContext, name: str, path: Path) -> LoadReport:
    with path.open("rb") as stream:
        return load_watchlist(session, ctx, name, stream, file_name=path.name)


def _read_entities(
    stream: IO[bytes], digest: Any, name: str, file_name: str
) -> tuple[dict[str, EntityProxy], LoadReport]:
    """Read and clean every line first, so that nothing is replaced when any line is bad."""
    report = LoadReport(name=name, version=0, file_name=file_name, sha256="")
    entities: dict[str, EntityProxy] = {}
    for line_no, data in _lines(stream, digest):
        report.lines = line_no
        proxy = _clean(line_no, data, report)
        known = entities.get(proxy.id or "")
        if known is None:
            entities[str(proxy.id)] = proxy
            continue
        try:
            known.merge(proxy)
        except InvalidData:
            raise ImportFailed(
                f"line {line_no}: entity {proxy.id} appears earlier as {known.schema.name} "
                f"and here as {proxy.schema.name}",
                line=line_no,
                field="schema",
            ) from None
    if not entities:
        raise ImportFailed(
            f"{file_name} contains no entities: the previous version of watch-list {name} stays in place",
            line=None,
        )
    report.entities = len(entities)
    counts: dict[str, int] = {}
    for proxy in entities.values():
        counts[proxy.schema.name] = counts.get(proxy.schema.name, 0) + 1
    report.schemata = dict(sorted(counts.items()))
    return entities, report


def _lines(stream: IO[bytes], digest: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    line_no = 0
    while raw := stream.readline(MAX_LINE_BYTES + 1):
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
                f"line {line_no}: invalid JSON at column {error.colno}: {error.msg}; "
                "a watch-list file holds one FtM entity as JSON per line",
                line=line_no,
            ) from None
        if not isinstance(data, dict):
            raise ImportFailed(f"line {line_no}: expected a JSON object (one entity)", line=line_no)
        yield line_no, data


def _clean(line_no: int, data: dict[str, Any], report: LoadReport) -> EntityProxy:
    try:
        clean = clean_entity(
            data.get("id"), data.get("schema"), data.get("properties", {}), skip_invalid_values=True
        )
    except EntityDataError as error:
        raise ImportFailed(f"line {line_no}: {error.message}", line=line_no, field=error.field) from None
    report.skipped_values += len(clean.skipped)
    proxy = model.make_entity(clean.schema)
    proxy.id = clean.id
    for value in clean.values:
        proxy.add(value.prop, value.value, cleaned=True, quiet=True)
    return proxy


def _store(session: Session, watchlist_id: str, entities: dict[str, EntityProxy]) -> None:
    rows = []
    for proxy in entities.values():
        rows.append(
            {
                "watchlist_id": watchlist_id,
                "entity_id": proxy.id,
                "schema": proxy.schema.name,
                "caption": (proxy.caption or str(proxy.id))[:500],
                "properties": proxy.to_dict()["properties"],
            }
        )
        insert_keys(session, Side(None, watchlist_id, str(proxy.id)), proxy.schema.name, entity_keys(proxy))
        if len(rows) >= 1000:
            session.execute(insert(WatchlistEntity), rows)
            rows = []
    if rows:
        session.execute(insert(WatchlistEntity), rows)


@dataclass(frozen=True)
class WatchlistEntry:
    watchlist: Watchlist
    entity: WatchlistEntity


def list_watchlists(session: Session, ctx: RequestContext) -> list[Watchlist]:
    policy.require_watchlist_use(ctx)
    return list(session.execute(select(Watchlist).order_by(Watchlist.name)).scalars())


def get_watchlist_entity(session: Session, ctx: RequestContext, name: str, entity_id: str) -> WatchlistEntry:
    policy.require_watchlist_use(ctx)
    watchlist = session.execute(select(Watchlist).where(Watchlist.name == name)).scalar_one_or_none()
    entity = session.get(WatchlistEntity, (watchlist.id, entity_id)) if watchlist else None
    if watchlist is None or entity is None:
        raise NotFound(f"entity {entity_id} not found in watch-list {name}")
    record(
        session,
        ctx.audit_source,
        AuditAction.WATCHLIST_READ,
        object_type="xref_watchlist_entity",
        object_id=entity_id,
        detail={"watchlist_id": watchlist.id},
    )
    return WatchlistEntry(watchlist=watchlist, entity=entity)


def count_entities(session: Session, watchlist_id: str) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(WatchlistEntity)
            .where(WatchlistEntity.watchlist_id == watchlist_id)
        ).scalar_one()
    )

"""Digital evidence files: upload into an item, list, and download with the hash checked.

Uploads stream from the caller's binary stream into the blob store. The file row, a
``file_added`` custody event and the audit record commit together, so the file's SHA-256 enters
the item's hash chain. Every download is audited before the first byte is sent.

NOTE: the blob is written before the transaction commits. If the transaction then rolls back,
the sealed blob stays in the store without a file row; it is harmless (content-addressed,
encrypted) and a later upload of the same content reuses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.blobs.store import BlobStore
from casetrail.cases.access import ensure_not_frozen
from casetrail.core.errors import Conflict, IntegrityFailed, NotFound, ValidationFailed
from casetrail.core.logging import get_logger
from casetrail.db.outbox import emit
from casetrail.evidence.access import ItemAccess, open_item
from casetrail.evidence.events import Handover, append_event
from casetrail.evidence.items import record_item_read
from casetrail.evidence.models import EvidenceFile
from casetrail.evidence.workflow import EventType, FileKind

log = get_logger(__name__)

MAX_FILE_NAME_LENGTH = 500


@dataclass(frozen=True)
class Download:
    file: EvidenceFile
    chunks: Iterator[bytes]
    """The plaintext; raises ``IntegrityFailed`` naming the item if the stored bytes changed."""


def clean_file_name(name: str) -> str:
    """Keep the last path component of a client-supplied name, without control characters."""
    base = PureWindowsPath(PurePosixPath(name).name).name
    cleaned = "".join(char for char in base if char.isprintable()).strip()
    if not cleaned or cleaned in {".", ".."}:
        raise ValidationFailed(f"invalid file name {name!r}", {"file_name": "give the file's name"})
    if len(cleaned) > MAX_FILE_NAME_LENGTH:
        raise ValidationFailed(
            "file name too long", {"file_name": f"at most {MAX_FILE_NAME_LENGTH} characters"}
        )
    return cleaned


def _check_kind(session: Session, access: ItemAccess, kind: str, derived_from: str | None) -> FileKind:
    try:
        file_kind = FileKind(kind)
    except ValueError:
        raise ValidationFailed(
            f"unknown file kind {kind!r}", {"kind": f"choose one of {', '.join(FileKind)}"}
        ) from None
    if file_kind == FileKind.ORIGINAL:
        if derived_from is not None:
            raise ValidationFailed(
                "an original is not derived from another file", {"derived_from": "omit it"}
            )
        return file_kind
    original = session.execute(
        select(EvidenceFile.id).where(
            EvidenceFile.item_id == access.item.id,
            EvidenceFile.sha256 == derived_from,
            EvidenceFile.kind == FileKind.ORIGINAL,
        )
    ).first()
    if derived_from is None or original is None:
        raise ValidationFailed(
            f"a {file_kind} copy names the SHA-256 of an original file of {access.label}",
            {"derived_from": "not an original file of this item"},
        )
    return file_kind


def add_file(
    session: Session,
    ctx: RequestContext,
    store: BlobStore,
    number: str,
    item_number: str,
    *,
    source: BinaryIO,
    file_name: str,
    kind: str = FileKind.ORIGINAL,
    derived_from: str | None = None,
) -> EvidenceFile:
    """Stream ``source`` into the blob store and attach it to the item as an original or a copy."""
    access = open_item(
        session, ctx, number, item_number, CasePermission.WRITE, attempted="evidence.file_add", lock=True
    )
    ensure_not_frozen(access.case)
    name = clean_file_name(file_name)
    file_kind = _check_kind(session, access, kind, derived_from)

    blob = store.put(source)
    existing = session.execute(
        select(EvidenceFile.id).where(
            EvidenceFile.item_id == access.item.id,
            EvidenceFile.sha256 == blob.sha256,
            EvidenceFile.kind == file_kind,
        )
    ).scalar_one_or_none()
    if existing is not None:
        raise Conflict(f"{access.label} already contains this content as {file_kind} file {existing}")
    evidence_file = EvidenceFile(
        item_id=access.item.id,
        case_id=access.case.id,
        sha256=blob.sha256,
        size=blob.size,
        media_type=blob.media_type,
        file_name=name,
        kind=file_kind,
        derived_from_sha256=derived_from,
        uploaded_by=ctx.actor.username,
        uploaded_by_id=ctx.actor.user_id,
    )
    session.add(evidence_file)
    session.flush()
    _record_file_added(session, ctx, access, evidence_file)
    return evidence_file


def _record_file_added(
    session: Session, ctx: RequestContext, access: ItemAccess, evidence_file: EvidenceFile
) -> None:
    append_event(
        session,
        ctx,
        access.item,
        EventType.FILE_ADDED,
        Handover(),
        details={
            "file_id": evidence_file.id,
            "file_name": evidence_file.file_name,
            "kind": evidence_file.kind,
            "sha256": evidence_file.sha256,
            "size": evidence_file.size,
            "derived_from_sha256": evidence_file.derived_from_sha256,
        },
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.EVIDENCE_FILE_ADD,
        object_type="evidence_file",
        object_id=evidence_file.id,
        case_id=access.case.id,
        detail={"item_id": access.item.id, "sha256": evidence_file.sha256, "size": evidence_file.size},
    )
    emit(
        session,
        object_type="evidence_file",
        object_id=evidence_file.id,
        operation="create",
        case_id=access.case.id,
        payload={"item_id": access.item.id},
    )


def item_files(session: Session, item_id: str) -> list[EvidenceFile]:
    return list(
        session.execute(
            select(EvidenceFile).where(EvidenceFile.item_id == item_id).order_by(EvidenceFile.uploaded_at)
        ).scalars()
    )


def list_files(session: Session, ctx: RequestContext, number: str, item_number: str) -> list[EvidenceFile]:
    access = open_item(session, ctx, number, item_number, CasePermission.READ, attempted="evidence.read")
    record_item_read(session, ctx, access, part="files")
    return item_files(session, access.item.id)


def open_download(
    session: Session, ctx: RequestContext, store: BlobStore, number: str, item_number: str, *, file_id: str
) -> Download:
    """Audit the download of one file and return a stream of its checked plaintext."""
    access = open_item(session, ctx, number, item_number, CasePermission.READ, attempted="evidence.download")
    evidence_file = session.get(EvidenceFile, file_id)
    if evidence_file is None or evidence_file.item_id != access.item.id:
        raise NotFound(f"file {file_id} not found in {access.label}")
    record(
        session,
        ctx.audit_source,
        AuditAction.EVIDENCE_DOWNLOAD,
        object_type="evidence_file",
        object_id=evidence_file.id,
        case_id=access.case.id,
        detail={"item_id": access.item.id, "sha256": evidence_file.sha256, "size": evidence_file.size},
    )
    return Download(evidence_file, checked_chunks(store, evidence_file, access.label))


def checked_chunks(store: BlobStore, evidence_file: EvidenceFile, item_label: str) -> Iterator[bytes]:
    """Yield the file's plaintext; a hash, tag or size mismatch raises ``IntegrityFailed`` naming the item."""
    size = 0
    try:
        for chunk in store.read(evidence_file.sha256):
            size += len(chunk)
            yield chunk
    except IntegrityFailed as error:
        log.error("evidence_file_integrity_failed", file_id=evidence_file.id, sha256=evidence_file.sha256)
        raise IntegrityFailed(f"file {evidence_file.id} of {item_label}: {error.message}") from error
    if size != evidence_file.size:
        log.error("evidence_file_size_mismatch", file_id=evidence_file.id, sha256=evidence_file.sha256)
        raise IntegrityFailed(
            f"file {evidence_file.id} of {item_label} ({evidence_file.sha256}) contains {size} bytes, "
            f"{evidence_file.size} were recorded"
        )

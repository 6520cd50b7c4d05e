"""Evidence packages for prosecution: originals, custody log, report and a signed manifest in one zip.

Layout of the zip::

    files/<item number>/<file name>   every original file of the chosen items
    custody_log.json                  the custody dossier (events with their hash chain, files)
    custody_log.csv                   the same events, one row each
    report.pdf                        the chain-of-custody report
    public_key.pem                    the installation's Ed25519 public key
    manifest.json                     path, SHA-256 and size of every file above
    manifest.sig                      base64 Ed25519 signature of the exact bytes of manifest.json

``package_verify.verify_package`` checks a package with nothing but the zip. Writing streams
each original out of the blob store (checked on the way) into a temporary file that is moved
into place only when complete.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.blobs.store import BlobStore
from casetrail.cases.access import open_case
from casetrail.core.clock import utcnow
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings
from casetrail.evidence.dossier import build_dossier, select_items
from casetrail.evidence.files import checked_chunks, item_files
from casetrail.evidence.models import EvidenceFile
from casetrail.evidence.reports import render_custody_report
from casetrail.evidence.signing import fingerprint, load_signing_key, public_key_pem
from casetrail.evidence.workflow import FileKind

log = get_logger(__name__)

PACKAGE_FORMAT = "casetrail-evidence-package"
PACKAGE_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "public_key.pem"
CONTROL_FILES = frozenset({MANIFEST, SIGNATURE})
CSV_COLUMNS = (
    "case_number",
    "item_number",
    "seq",
    "event_type",
    "occurred_at",
    "from",
    "to",
    "purpose",
    "location",
    "seal_number",
    "condition",
    "notes",
    "recorded_by",
    "recorded_at",
    "corrects_event_id",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class PackedFile:
    path: str
    evidence_file: EvidenceFile
    item_label: str


@dataclass(frozen=True)
class ExportPlan:
    case_id: str
    case_number: str
    item_ids: list[str]
    dossier: dict[str, Any]
    files: list[PackedFile]
    created_by: str


@dataclass(frozen=True)
class PackageSummary:
    path: Path
    files: int
    bytes: int
    manifest_sha256: str
    fingerprint: str


def prepare_export(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    number: str,
    item_numbers: list[str] | None = None,
) -> ExportPlan:
    """Check that the actor may export from case ``number`` (WRITE) and collect what goes in the package."""
    access = open_case(session, ctx, number, CasePermission.WRITE, "evidence.export")
    items = select_items(session, access.case, item_numbers)
    signing = fingerprint(load_signing_key(settings).public_key())
    dossier = build_dossier(
        session, access.case, items, generated_by=ctx.actor.username, signing_fingerprint=signing
    )
    files: list[PackedFile] = []
    used: set[str] = set()
    for item in items:
        for evidence_file in _originals(session, item.id):
            path = _archive_path(item.number, evidence_file, used)
            files.append(PackedFile(path, evidence_file, f"{item.number} of case {number}"))
    return ExportPlan(
        case_id=access.case.id,
        case_number=number,
        item_ids=[item.id for item in items],
        dossier=dossier,
        files=files,
        created_by=ctx.actor.username,
    )


def _originals(session: Session, item_id: str) -> list[EvidenceFile]:
    return [
        evidence_file
        for evidence_file in item_files(session, item_id)
        if evidence_file.kind == FileKind.ORIGINAL
    ]


def _archive_path(item_number: str, evidence_file: EvidenceFile, used: set[str]) -> str:
    folder = item_number.replace("/", "_").replace("\\", "_")
    path = f"files/{folder}/{evidence_file.file_name}"
    if path in used:
        name = PurePosixPath(evidence_file.file_name)
        path = f"files/{folder}/{name.stem}-{evidence_file.sha256[:12]}{name.suffix}"
    used.add(path)
    return path


class _PackageWriter:
    """Adds entries to the zip and remembers each one's hash and size for the manifest."""

    def __init__(self, archive: zipfile.ZipFile, created_at: datetime) -> None:
        self.archive = archive
        self.date_time = created_at.timetuple()[:6]
        self.entries: list[dict[str, Any]] = []

    def entry_info(self, path: str, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        return info

    def add_bytes(self, path: str, data: bytes, role: str) -> None:
        self.archive.writestr(self.entry_info(path, compress=True), data)
        self.entries.append(
            {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "role": role}
        )

    def add_stream(self, path: str, chunks: Iterable[bytes], role: str) -> int:
        digest = hashlib.sha256()
        size = 0
        with self.archive.open(self.entry_info(path, compress=False), "w", force_zip64=True) as sink:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                sink.write(chunk)
        self.entries.append({"path": path, "sha256": digest.hexdigest(), "size": size, "role": role})
        return size


def custody_csv(dossier: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for item in dossier["items"]:
        for event in item["events"]:
            writer.writerow(
                [
                    dossier["case"]["number"],
                    item["number"],
                    event["seq"],
                    event["event_type"],
                    event["occurred_at"],
                    event["from_name"],
                    event["to_name"],
                    event["purpose"] or "",
                    event["location"],
                    event["seal_number"],
                    event["condition"],
                    event["notes"],
                    event["recorded_by"],
                    event["recorded_at"],
                    event["corrects_event_id"] or "",
                    event["prev_hash"],
                    event["hash"],
                ]
            )
    return buffer.getvalue().encode("utf-8")


def write_package(
    plan: ExportPlan, store: BlobStore, settings: Settings, destination: Path
) -> PackageSummary:
    """Write the package to ``destination``; needs no database session."""
    key = load_signing_key(settings)
    key_fingerprint = fingerprint(key.public_key())
    created_at = utcnow()
    destination.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(prefix=".export-", suffix=".zip", dir=destination.parent)
    temp_path = Path(temp_name)
    try:
        with os.fdopen(descriptor, "wb") as handle, zipfile.ZipFile(handle, "w", allowZip64=True) as archive:
            writer = _PackageWriter(archive, created_at)
            total = 0
            for packed in plan.files:
                total += writer.add_stream(
                    packed.path, checked_chunks(store, packed.evidence_file, packed.item_label), "original"
                )
            writer.add_bytes(
                "custody_log.json",
                json.dumps(plan.dossier, indent=2, ensure_ascii=False).encode("utf-8"),
                "custody_log",
            )
            writer.add_bytes("custody_log.csv", custody_csv(plan.dossier), "custody_log")
            writer.add_bytes("report.pdf", render_custody_report(plan.dossier), "report")
            writer.add_bytes(PUBLIC_KEY, public_key_pem(key.public_key()), "public_key")
            manifest = _manifest(plan, created_at, key_fingerprint, writer.entries)
            archive.writestr(writer.entry_info(MANIFEST, compress=True), manifest)
            signature = base64.b64encode(key.sign(manifest)) + b"\n"
            archive.writestr(writer.entry_info(SIGNATURE, compress=False), signature)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_path, destination)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    summary = PackageSummary(
        path=destination,
        files=len(plan.files),
        bytes=total,
        manifest_sha256=hashlib.sha256(manifest).hexdigest(),
        fingerprint=key_fingerprint,
    )
    log.info("evidence_package_written", case_id=plan.case_id, files=summary.files, bytes=summary.bytes)
    return summary


def _manifest(
    plan: ExportPlan, created_at: datetime, key_fingerprint: str, entries: list[dict[str, Any]]
) -> bytes:
    document = {
        "format": PACKAGE_FORMAT,
        "version": PACKAGE_VERSION,
        "case_number": plan.case_number,
        "items": [item["number"] for item in plan.dossier["items"]],
        "created_at": created_at.isoformat(),
        "created_by": plan.created_by,
        "signing_key_fingerprint": key_fingerprint,
        "hash_algorithm": "sha256",
        "files": entries,
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


def record_export(session: Session, ctx: RequestContext, plan: ExportPlan, summary: PackageSummary) -> None:
    record(
        session,
        ctx.audit_source,
        AuditAction.EVIDENCE_EXPORT,
        object_type="evidence_item",
        case_id=plan.case_id,
        detail={
            "items": plan.item_ids,
            "files": [packed.evidence_file.id for packed in plan.files],
            "manifest_sha256": summary.manifest_sha256,
            "signing_key_fingerprint": summary.fingerprint,
        },
    )


def export_package(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    store: BlobStore,
    number: str,
    *,
    destination: Path,
    item_numbers: list[str] | None = None,
) -> PackageSummary:
    """Prepare, write and audit a package in one session (a short export, or tests)."""
    plan = prepare_export(session, ctx, settings, number, item_numbers)
    summary = write_package(plan, store, settings, destination)
    record_export(session, ctx, plan, summary)
    return summary

"""Rechecking stored evidence files: every chunk's tag, the plaintext hash and the recorded size.

Checking can take hours on a large store, so it runs in three steps that a caller may put in
separate transactions: ``plan_check`` (permission and the list of files), ``check_files``
(reads the blobs, no database) and ``record_check`` (the audit record). ``verify_blobs`` does all
three in one session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.blobs.store import BlobStore
from casetrail.cases.access import open_case
from casetrail.cases.models import Case
from casetrail.core.errors import IntegrityFailed, NotFound
from casetrail.core.logging import get_logger
from casetrail.evidence.models import EvidenceFile, EvidenceItem

log = get_logger(__name__)

ProgressCallback = Callable[[int], None]
"""Called after each blob with the number of files it covered."""


@dataclass(frozen=True)
class FileRef:
    file_id: str
    sha256: str
    size: int
    file_name: str
    item_number: str
    case_number: str


@dataclass(frozen=True)
class CheckPlan:
    files: list[FileRef]
    case_id: str | None
    case_number: str | None

    def by_blob(self) -> dict[str, list[FileRef]]:
        grouped: dict[str, list[FileRef]] = {}
        for ref in self.files:
            grouped.setdefault(ref.sha256, []).append(ref)
        return grouped


@dataclass(frozen=True)
class BadFile:
    ref: FileRef
    problem: str


@dataclass
class BlobCheckReport:
    blobs_checked: int = 0
    files_checked: int = 0
    bytes_checked: int = 0
    failures: list[BadFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def plan_check(session: Session, ctx: RequestContext, case_number: str | None = None) -> CheckPlan:
    """List the files to check: those of one case (READ on it), or all (operators and auditors)."""
    query = (
        select(EvidenceFile, EvidenceItem.number, Case.number)
        .join(EvidenceItem, EvidenceItem.id == EvidenceFile.item_id)
        .join(Case, Case.id == EvidenceFile.case_id)
    )
    case_id = None
    if case_number is None:
        policy.require_integrity_check(ctx)
    else:
        case_id = open_case(session, ctx, case_number, CasePermission.READ, "evidence.verify").case.id
        query = query.where(EvidenceFile.case_id == case_id)
    rows = session.execute(query.order_by(Case.number, EvidenceItem.number, EvidenceFile.uploaded_at)).all()
    files = [
        FileRef(row.id, row.sha256, row.size, row.file_name, item_number, number)
        for row, item_number, number in rows
    ]
    return CheckPlan(files=files, case_id=case_id, case_number=case_number)


def check_files(
    store: BlobStore, plan: CheckPlan, on_progress: ProgressCallback | None = None
) -> BlobCheckReport:
    """Read every blob of the plan once and name each file whose bytes no longer match."""
    report = BlobCheckReport()
    for sha256, refs in plan.by_blob().items():
        problem, size = _check_blob(store, sha256)
        report.blobs_checked += 1
        report.files_checked += len(refs)
        report.bytes_checked += size
        for ref in refs:
            if problem is None and size != ref.size:
                report.failures.append(BadFile(ref, f"holds {size} bytes, {ref.size} were recorded"))
            elif problem is not None:
                report.failures.append(BadFile(ref, problem))
        if on_progress is not None:
            on_progress(len(refs))
    for failure in report.failures:
        log.error(
            "evidence_file_check_failed",
            file_id=failure.ref.file_id,
            sha256=failure.ref.sha256,
            case_number=failure.ref.case_number,
            item_number=failure.ref.item_number,
        )
    return report


def _check_blob(store: BlobStore, sha256: str) -> tuple[str | None, int]:
    try:
        return None, store.verify(sha256).size
    except IntegrityFailed as error:
        return error.message, 0
    except NotFound:
        return f"blob {sha256} is missing from the store", 0


def record_check(session: Session, ctx: RequestContext, plan: CheckPlan, report: BlobCheckReport) -> None:
    record(
        session,
        ctx.audit_source,
        AuditAction.EVIDENCE_VERIFY,
        object_type="evidence_file",
        case_id=plan.case_id,
        outcome="success" if report.ok else "failure",
        detail={
            "blobs_checked": report.blobs_checked,
            "files_checked": report.files_checked,
            "failed_files": [failure.ref.file_id for failure in report.failures],
        },
    )


def verify_blobs(
    session: Session,
    ctx: RequestContext,
    store: BlobStore,
    case_number: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> BlobCheckReport:
    """Recheck every stored evidence file (or those of one case) and audit the result."""
    plan = plan_check(session, ctx, case_number)
    report = check_files(store, plan, on_progress)
    record_check(session, ctx, plan, report)
    return report

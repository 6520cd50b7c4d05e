"""The evidence register of a case: items, custody, files, reports, packages and file checks.

``ROUTERS`` lists the evidence routers in the order they must be included. Item paths take the rest of the
path (item numbers may contain '/'), so case-level routes (``report.pdf``, ``export``,
``verify``) come first and the bare item routes of ``evidence_items`` come last.

Exporting a package and checking stored files read every file of the case, which can take
minutes. Both end the database transaction after the permission check and record the audit
entry in a second one, so they do not hold the embedded database's write lock while reading.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from casetrail.api import evidence_custody, evidence_files, evidence_items
from casetrail.api.dependencies import AppSettings
from casetrail.api.evidence_files import Store, binary_response, content_disposition
from casetrail.api.evidence_items import EVIDENCE_PREFIX, ITEM, ItemNumber
from casetrail.api.openapi import error_responses
from casetrail.api.schemas.evidence import BadFileOut, ExportRequest, FileCheckOut
from casetrail.core.ids import new_id
from casetrail.evidence import integrity, package, reports
from casetrail.evidence.integrity import BlobCheckReport
from casetrail.http.deps import Ctx, DbSession

EXPORT_READ_BYTES = 1024 * 1024

reports_router = APIRouter(prefix=EVIDENCE_PREFIX, tags=["evidence"], responses=error_responses(404))

_PDF = binary_response("application/pdf", "A PDF document.")
_ZIP = binary_response("application/zip", "The evidence package (zip), streamed.")


def _pdf(content: bytes, file_name: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition("inline", file_name)},
    )


def _safe(number: str) -> str:
    """Return an item or case number usable in a file name ('/' is allowed in item numbers)."""
    return number.replace("/", "_")


@reports_router.get("/report.pdf", response_class=Response, responses=_PDF)
def case_report(
    number: str,
    session: DbSession,
    ctx: Ctx,
    settings: AppSettings,
    item: Annotated[
        list[str] | None, Query(description="Item number; repeat for several. Default: every item.")
    ] = None,
) -> Response:
    """Render the chain-of-custody report of the case (or of some items) as PDF. It is audited."""
    pdf = reports.custody_report(session, ctx, settings, number, item or None)
    return _pdf(pdf, f"custody-report-{_safe(number)}.pdf")


@reports_router.post("/export", response_class=Response, responses={**_ZIP, **error_responses(403, 409)})
def export_package(
    *, number: str, body: ExportRequest, session: DbSession, ctx: Ctx, settings: AppSettings, store: Store
) -> StreamingResponse:
    """Export an evidence package: originals, custody log, report and a signed manifest (case writers).

    The package is written to a temporary file under DATA_DIR/tmp. The file is removed as the
    download starts, and the open handle keeps it readable until the download ends.
    """
    plan = package.prepare_export(session, ctx, settings, number, body.items)
    session.commit()
    folder = settings.data_dir / "tmp"
    destination = folder / f"export-{new_id()}.zip"
    summary = package.write_package(plan, store, settings, destination)
    handle = destination.open("rb")
    destination.unlink()
    try:
        package.record_export(session, ctx, plan, summary)
        size = os.fstat(handle.fileno()).st_size
    except BaseException:
        handle.close()
        raise
    headers = {
        "Content-Length": str(size),
        "Content-Disposition": content_disposition("attachment", f"evidence-package-{_safe(number)}.zip"),
        "X-Manifest-SHA256": summary.manifest_sha256,
        "X-Signing-Key-Fingerprint": summary.fingerprint,
    }
    return StreamingResponse(_read_and_close(handle), media_type="application/zip", headers=headers)


def _read_and_close(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(EXPORT_READ_BYTES):
            yield chunk


@reports_router.post("/verify", responses=error_responses(403))
def verify_files(number: str, session: DbSession, ctx: Ctx, store: Store) -> FileCheckOut:
    """Recheck every stored file of the case: each chunk's tag, the SHA-256 and the size. Audited."""
    plan = integrity.plan_check(session, ctx, number)
    session.commit()
    report = integrity.check_files(store, plan)
    integrity.record_check(session, ctx, plan, report)
    return _check_out(report)


def _check_out(report: BlobCheckReport) -> FileCheckOut:
    return FileCheckOut(
        ok=report.ok,
        blobs_checked=report.blobs_checked,
        files_checked=report.files_checked,
        bytes_checked=report.bytes_checked,
        failures=[
            BadFileOut(
                item_number=failure.ref.item_number,
                file_id=failure.ref.file_id,
                file_name=failure.ref.file_name,
                sha256=failure.ref.sha256,
                problem=failure.problem,
            )
            for failure in report.failures
        ],
    )


@reports_router.get(ITEM + "/report.pdf", response_class=Response, responses=_PDF)
def item_report(
    number: str, item_number: ItemNumber, session: DbSession, ctx: Ctx, settings: AppSettings
) -> Response:
    """Render the chain-of-custody report of one item as PDF. It is audited."""
    pdf = reports.custody_report(session, ctx, settings, number, [item_number])
    return _pdf(pdf, f"custody-report-{_safe(number)}-{_safe(item_number)}.pdf")


@reports_router.get(ITEM + "/label.pdf", response_class=Response, responses=_PDF)
def item_label(number: str, item_number: ItemNumber, session: DbSession, ctx: Ctx) -> Response:
    """Render the item's label (number, case, description, QR code of its id) as PDF. It is audited."""
    pdf = reports.item_label(session, ctx, number, item_number)
    return _pdf(pdf, f"label-{_safe(number)}-{_safe(item_number)}.pdf")


ROUTERS: tuple[APIRouter, ...] = (
    reports_router,
    evidence_custody.router,
    evidence_files.router,
    evidence_items.router,
)

"""The evidence register of a case, registering items, the item page, and case-wide exports.

URLs name an item by its number, which may contain '/' (``2026/0142/3``), so item routes take
the rest of the path. Routes with a fixed suffix (``/label.pdf``, ``/release``) are included
before the item page, whose pattern would otherwise match them too.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from casetrail.core.errors import ValidationFailed
from casetrail.evidence import items, package, reports
from casetrail.evidence.items import NewItem
from casetrail.evidence.workflow import ItemStatus
from casetrail.http.deps import Ctx, DbSession
from casetrail.http.state import get_state
from casetrail.web import evidence_custody, evidence_files
from casetrail.web.evidence_files import (
    DOWNLOAD_HEADERS,
    Store,
    Uploads,
    add_uploads,
    files_added,
    item_url,
    pdf_response,
)
from casetrail.web.evidence_forms import optional_text, required_time
from casetrail.web.evidence_view import build_item_page, build_register
from casetrail.web.forms import see_other
from casetrail.web.templating import render

router = APIRouter()
router.include_router(evidence_files.router)
router.include_router(evidence_custody.router)

DIGITAL = "digital"
PHYSICAL = "physical"


@router.get("/cases/{number}/evidence")
def register_page(
    *,
    request: Request,
    number: str,
    session: DbSession,
    ctx: Ctx,
    status: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    status_filter = status if status in set(ItemStatus) else ""
    return render(request, "evidence_register.html", build_register(session, ctx, number, status_filter))


@router.post("/cases/{number}/evidence")
def register_item(
    *,
    number: str,
    session: DbSession,
    ctx: Ctx,
    store: Store,
    description: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    evidence_form: Annotated[str, Form()] = PHYSICAL,
    item_number: Annotated[str, Form()] = "",
    obtained_at: Annotated[str, Form()] = "",
    obtained_at_offset: Annotated[str, Form()] = "",
    obtained_method: Annotated[str, Form()] = "",
    obtained_place: Annotated[str, Form()] = "",
    obtained_by: Annotated[str, Form()] = "",
    obtained_from_entity_id: Annotated[str, Form()] = "",
    entity_ids: Annotated[list[str] | None, Form()] = None,
    storage_location: Annotated[str, Form()] = "",
    seal_number: Annotated[str, Form()] = "",
    holder_location: Annotated[str, Form()] = "",
    condition: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    uploads: Uploads,
) -> RedirectResponse:
    if evidence_form == DIGITAL and not uploads:
        raise ValidationFailed(
            "digital evidence is registered with its files: choose the files to upload",
            {"files": "missing for digital evidence"},
        )
    new = NewItem(
        description=description,
        category=category,
        obtained_at=required_time(obtained_at, obtained_at_offset, "obtained_at"),
        obtained_method=obtained_method,
        obtained_place=obtained_place,
        obtained_by=optional_text(obtained_by),
        obtained_from_entity_id=optional_text(obtained_from_entity_id),
        storage_location=storage_location,
        seal_number=seal_number,
        number=optional_text(item_number),
        custodian_location=optional_text(holder_location),
        condition=condition,
        notes=notes,
    )
    chosen_entities = tuple(entity_id.strip() for entity_id in entity_ids or [] if entity_id.strip())
    view = items.create_item(session, ctx, number, new, entity_ids=chosen_entities)
    registered = view.item.number
    notice = f"Item {registered} registered."
    if uploads:
        count = add_uploads(
            session=session, ctx=ctx, store=store, number=number, item_number=registered, uploads=uploads
        )
        notice = f"{notice} {files_added(count)}"
    return see_other(item_url(number, registered), notice)


@router.get("/cases/{number}/evidence-report.pdf")
def case_report_pdf(request: Request, number: str, session: DbSession, ctx: Ctx) -> Response:
    pdf = reports.custody_report(session, ctx, get_state(request).settings, number)
    return pdf_response(pdf, f"custody-{number}.pdf")


@router.post("/cases/{number}/evidence-package")
def export_package(request: Request, number: str, session: DbSession, ctx: Ctx, store: Store) -> FileResponse:
    """Write the case's evidence package and send it as a download.

    NOTE: the package is written while the request waits, so a case with files of many
    gigabytes keeps the browser waiting for as long as copying them takes. ``casetrail evidence
    export`` writes the same package from the command line.
    """
    settings = get_state(request).settings
    exports = settings.data_dir / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    # The package contains the plaintext originals, so it is written to a folder only this
    # process's user can read, and the folder goes once the download has been sent.
    workdir = Path(tempfile.mkdtemp(prefix="package-", dir=exports))
    destination = workdir / f"evidence-{number}.zip"
    try:
        package.export_package(session, ctx, settings, store, number, destination=destination)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return FileResponse(
        destination,
        media_type="application/zip",
        filename=destination.name,
        headers=DOWNLOAD_HEADERS,
        background=BackgroundTask(shutil.rmtree, workdir, ignore_errors=True),
    )


@router.get("/cases/{number}/evidence/{item_number:path}")
def item_page(request: Request, number: str, item_number: str, session: DbSession, ctx: Ctx) -> HTMLResponse:
    page = build_item_page(session, ctx, number, item_number)
    return render(request, "evidence_item.html", page.context())

"""Staff pages for leads: the triage queue, recording a lead, one lead and its triage forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse

from casetrail.auth import policy
from casetrail.auth.roles import Sensitivity
from casetrail.blobs.factory import blob_store
from casetrail.http.deps import Ctx, DbSession
from casetrail.http.state import get_state
from casetrail.leads import conversion, service
from casetrail.leads.attachments import open_attachment
from casetrail.leads.fields import GRADING_SCALES, Grading, LeadContact, LeadFacts, parse_local_time
from casetrail.leads.models import CLOSE_REASONS, LEAD_CHANNELS, PRIORITIES
from casetrail.leads.queue import SORTS, QueueFilter, lead_view, list_queue
from casetrail.leads.service import LeadUpdate
from casetrail.leads.workflow import TRANSITIONS, LeadStatus
from casetrail.web.case_view import Pager
from casetrail.web.document_pages import disposition_header
from casetrail.web.evidence_files import DOWNLOAD_HEADERS
from casetrail.web.forms import see_other
from casetrail.web.templating import render

router = APIRouter()

LEAD_PAGE_SIZE = 50
Text = Annotated[str, Form()]


def _options() -> dict[str, object]:
    return {
        "statuses": [status.value for status in LeadStatus],
        "priorities": PRIORITIES,
        "channels": [channel for channel in LEAD_CHANNELS if channel != "public_form"],
        "close_reasons": CLOSE_REASONS,
        "scales": list(GRADING_SCALES),
        "sensitivities": [label.value for label in Sensitivity],
        "sorts": SORTS,
    }


@router.get("/leads")
def queue_page(
    *,
    request: Request,
    session: DbSession,
    ctx: Ctx,
    status: Annotated[str, Query(max_length=32)] = "",
    priority: Annotated[str, Query(max_length=16)] = "",
    category: Annotated[str, Query(max_length=100)] = "",
    jurisdiction: Annotated[str, Query(max_length=100)] = "",
    assignee: Annotated[str, Query(max_length=64)] = "",
    group: Annotated[str, Query(max_length=36)] = "",
    overdue: Annotated[str, Query(max_length=3)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    sort: Annotated[str, Query(max_length=16)] = "priority",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    flt = QueueFilter(
        statuses=[status] if status in set(LeadStatus) else [],
        priority=priority or None,
        category=category.strip().lower() or None,
        jurisdiction=jurisdiction.strip().lower() or None,
        assignee=assignee.strip() or None,
        group_id=group or None,
        overdue=overdue == "yes",
        text=q.strip() or None,
    )
    result = list_queue(
        session,
        ctx,
        flt,
        sort=sort if sort in SORTS else "priority",
        limit=LEAD_PAGE_SIZE,
        offset=(page - 1) * LEAD_PAGE_SIZE,
    )
    filters = {
        "status": status,
        "priority": priority,
        "category": category,
        "jurisdiction": jurisdiction,
        "assignee": assignee,
        "group": group,
        "overdue": overdue,
        "q": q,
        "sort": sort,
    }
    context = {
        "items": result.items,
        "lead_pager": Pager(page, LEAD_PAGE_SIZE, result.total),
        "filters": filters,
        "options": _options(),
    }
    return render(request, "leads/queue.html", context)


@router.get("/leads/new")
def new_lead_form(request: Request, _ctx: Ctx) -> HTMLResponse:
    return render(request, "leads/new.html", {"options": _options()})


@router.post("/leads")
def create_lead(
    *,
    request: Request,
    session: DbSession,
    ctx: Ctx,
    channel: Text = "",
    title: Text = "",
    body: Text = "",
    location: Text = "",
    occurred_at: Text = "",
    names: Text = "",
    plates: Text = "",
    source_description: Text = "",
    contact_name: Text = "",
    contact_phone: Text = "",
    contact_email: Text = "",
    grading_scale: Text = "",
    source_grade: Text = "",
    information_grade: Text = "",
    handling_code: Text = "",
    priority: Text = "normal",
    sensitivity: Text = Sensitivity.RESTRICTED,
    category: Text = "",
    jurisdiction: Text = "",
) -> RedirectResponse:
    settings = get_state(request).settings
    lead = service.create_lead(
        session,
        ctx,
        settings,
        channel=channel,
        facts=LeadFacts(
            title=title,
            body=body,
            location=location,
            occurred_at=parse_local_time(occurred_at, settings.leads.form_timezone),
            subject_names=names.splitlines(),
            vehicle_plates=plates.splitlines(),
        ),
        contact=LeadContact(name=contact_name, phone=contact_phone, email=contact_email),
        grading=Grading(
            scale=grading_scale or None,
            source=source_grade or None,
            information=information_grade or None,
            handling=handling_code or None,
        ),
        source_description=source_description,
        priority=priority,
        sensitivity=sensitivity,
        category=category,
        jurisdiction=jurisdiction,
    )
    return see_other(f"/leads/{lead.reference}", f"Lead {lead.reference} recorded.")


@router.get("/leads/{reference}")
def lead_page(request: Request, reference: str, session: DbSession, ctx: Ctx) -> HTMLResponse:
    view = lead_view(session, ctx, reference)
    permissions = view.access.permissions
    context = {
        "view": view,
        "lead": view.lead,
        "can_triage": "triage" in permissions,
        "can_work": "work" in permissions,
        "can_open_case": "work" in permissions and policy.can_create_case(ctx.actor),
        "next_statuses": sorted(TRANSITIONS[LeadStatus(view.lead.status)]),
        "options": _options(),
    }
    return render(request, "leads/lead.html", context)


@router.post("/leads/{reference}/assign")
def assign_lead(
    *, reference: str, session: DbSession, ctx: Ctx, username: Text = "", unit: Text = "", reason: Text = ""
) -> RedirectResponse:
    service.assign(
        session,
        ctx,
        reference,
        username=username.strip() or None,
        unit_name=unit.strip() or None,
        reason=reason,
    )
    return see_other(f"/leads/{reference}", "Lead assigned.")


@router.post("/leads/{reference}/status")
def change_status(
    *,
    reference: str,
    session: DbSession,
    ctx: Ctx,
    status: Text = "",
    reason: Text = "",
    close_reason: Text = "",
) -> RedirectResponse:
    service.change_status(
        session, ctx, reference, to_status=status, reason=reason, close_reason=close_reason or None
    )
    return see_other(f"/leads/{reference}", "Status changed.")


@router.post("/leads/{reference}/triage")
def triage_lead(
    *,
    request: Request,
    reference: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: Annotated[int, Form()],
    priority: Text = "",
    category: Text = "",
    jurisdiction: Text = "",
    due_at: Text = "",
) -> RedirectResponse:
    settings = get_state(request).settings
    change = LeadUpdate(
        priority=priority or None,
        category=category,
        jurisdiction=jurisdiction,
        due_at=parse_local_time(due_at, settings.leads.form_timezone, "due_at"),
    )
    service.update_lead(session, ctx, settings, reference, change, expected_version=expected_version)
    return see_other(f"/leads/{reference}", "Triage saved.")


@router.post("/leads/{reference}/link")
def link_case(
    request: Request, reference: str, session: DbSession, ctx: Ctx, case_number: Text = ""
) -> RedirectResponse:
    result = conversion.link_case(
        session, ctx, get_state(request).settings, reference, case_number=case_number.strip()
    )
    return see_other(f"/cases/{result.case.number}", f"Lead {reference} added to the case.")


@router.post("/leads/{reference}/case")
def open_case(
    *,
    request: Request,
    reference: str,
    session: DbSession,
    ctx: Ctx,
    title: Text = "",
    sensitivity: Text = Sensitivity.RESTRICTED,
) -> RedirectResponse:
    result = conversion.open_case_from_lead(
        session,
        ctx,
        get_state(request).settings,
        reference,
        title=title.strip() or None,
        sensitivity=sensitivity,
    )
    return see_other(
        f"/cases/{result.case.number}", f"Case {result.case.number} opened from lead {reference}."
    )


@router.get("/leads/{reference}/attachments/{document_id}")
def download_attachment(
    request: Request, reference: str, document_id: str, session: DbSession, ctx: Ctx
) -> StreamingResponse:
    """Send a tip attachment as a download, never inline: it came from the public."""
    content = open_attachment(session, ctx, blob_store(get_state(request).settings), reference, document_id)
    document = content.document
    headers = {
        **DOWNLOAD_HEADERS,
        "Content-Disposition": disposition_header("attachment", document.file_name),
        "Content-Length": str(document.size),
    }
    return StreamingResponse(content.chunks, media_type="application/octet-stream", headers=headers)

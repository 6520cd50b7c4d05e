"""Leads and tips: internal leads, the triage queue, assignment, status, case links, public tips.

The two public routes (``/tips`` and ``/tips/receipt``) need no account and are rate-limited per
client address. A caller who sends the session cookie anyway must also send its CSRF token, as
on every other unsafe route. Every other route needs a logged-in caller.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile, status

from casetrail.api.dependencies import AppSettings
from casetrail.api.openapi import error_responses
from casetrail.api.schemas.leads import (
    AdditionOut,
    AssignIn,
    AttachmentOut,
    ConversionOut,
    GradingIn,
    LeadCreate,
    LeadDetail,
    LeadOut,
    LeadPatch,
    LinkIn,
    OpenCaseIn,
    QueueItemOut,
    QueuePageOut,
    SimilarOut,
    StatusChangeOut,
    StatusIn,
    TipAdditionOut,
    TipReceiptOut,
)
from casetrail.auth.policy import LeadPermission
from casetrail.http.deps import Ctx, DbSession, OptionalCtx, verify_csrf
from casetrail.leads import conversion, public, service
from casetrail.leads.conversion import Conversion
from casetrail.leads.fields import Grading, LeadContact, LeadFacts, parse_local_time
from casetrail.leads.intake import Attachment
from casetrail.leads.queue import QueueFilter, group_members, lead_view, list_queue
from casetrail.leads.service import LeadUpdate

router = APIRouter(tags=["leads"], responses=error_responses(404))


def _grading(body: GradingIn | None) -> Grading | None:
    if body is None:
        return None
    return Grading(scale=body.scale, source=body.source, information=body.information, handling=body.handling)


def _conversion(result: Conversion) -> ConversionOut:
    return ConversionOut(
        case_number=result.case.number,
        entity_ids=result.entity_ids,
        document_ids=[document.id for document in result.documents],
    )


@router.get("/leads")
def list_leads(
    *,
    session: DbSession,
    ctx: Ctx,
    status_filter: Annotated[
        list[str], Query(alias="status", description="Statuses; default all open.")
    ] = [],  # noqa: B006
    priority: str | None = None,
    category: str | None = None,
    jurisdiction: str | None = None,
    unit: Annotated[str | None, Query(description="Unit name.")] = None,
    assignee: Annotated[str | None, Query(description="Username, or me.")] = None,
    group: Annotated[str | None, Query(description="Group id.")] = None,
    kind: str | None = None,
    overdue: bool = False,
    q: Annotated[str | None, Query(description="Text in the title or reference.")] = None,
    sort: Annotated[str, Query(description="priority, due, age (oldest first) or newest.")] = "priority",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> QueuePageOut:
    """List the triage queue: the leads the caller may see, filtered and sorted."""
    flt = QueueFilter(
        statuses=status_filter,
        priority=priority,
        category=category,
        jurisdiction=jurisdiction,
        unit=unit,
        assignee=assignee,
        group_id=group,
        kind=kind,
        overdue=overdue,
        text=q,
    )
    page = list_queue(session, ctx, flt, sort=sort, limit=limit, offset=offset)
    items = [
        QueueItemOut(
            lead=LeadOut.model_validate(item.lead),
            overdue=item.overdue,
            group_size=item.group_size,
            assignee=item.assignee,
            unit=item.unit,
        )
        for item in page.items
    ]
    return QueuePageOut(items=items, total=page.total)


@router.post("/leads", status_code=status.HTTP_201_CREATED, responses=error_responses(403))
def create_lead(body: LeadCreate, session: DbSession, ctx: Ctx, settings: AppSettings) -> LeadOut:
    """Record a lead from a call, a partner agency, a colleague, another case or analysis."""
    lead = service.create_lead(
        session,
        ctx,
        settings,
        channel=body.channel,
        facts=LeadFacts(
            title=body.title,
            body=body.body,
            location=body.location,
            occurred_at=body.occurred_at,
            subject_names=body.subject_names,
            vehicle_plates=body.vehicle_plates,
        ),
        contact=LeadContact(
            name=body.contact_name,
            phone=body.contact_phone,
            email=body.contact_email,
            address=body.contact_address,
        ),
        grading=_grading(body.grading),
        source_description=body.source_description,
        priority=body.priority,
        sensitivity=body.sensitivity,
        category=body.category,
        jurisdiction=body.jurisdiction,
        unit_name=body.unit,
    )
    return LeadOut.model_validate(lead)


@router.get("/leads/{reference}")
def get_lead(reference: str, session: DbSession, ctx: Ctx) -> LeadDetail:
    view = lead_view(session, ctx, reference)
    return LeadDetail(
        lead=LeadOut.model_validate(view.lead),
        permissions=sorted(LeadPermission(item) for item in view.access.permissions),
        overdue=view.overdue,
        assignee=view.assignee,
        unit=view.unit,
        case_number=view.case_number,
        history=[StatusChangeOut.model_validate(row) for row in view.history],
        additions=[AdditionOut.model_validate(row) for row in view.additions],
        attachments=[AttachmentOut.model_validate(row) for row in view.attachments],
        similar=[
            SimilarOut(
                reference=item.lead.reference,
                title=item.lead.title,
                reasons=item.reasons,
                text_score=item.text_score,
            )
            for item in view.similar
        ],
        group=[lead.reference for lead in view.group],
    )


@router.patch("/leads/{reference}", responses=error_responses(403, 409))
def update_lead(
    reference: str, body: LeadPatch, session: DbSession, ctx: Ctx, settings: AppSettings
) -> LeadOut:
    """Change a lead's facts, or (triage staff) its priority, category, jurisdiction, label and due time."""
    change = LeadUpdate(
        title=body.title,
        body=body.body,
        location=body.location,
        occurred_at=body.occurred_at,
        subject_names=body.subject_names,
        vehicle_plates=body.vehicle_plates,
        source_description=body.source_description,
        grading=_grading(body.grading),
        priority=body.priority,
        category=body.category,
        jurisdiction=body.jurisdiction,
        sensitivity=body.sensitivity,
        due_at=body.due_at,
    )
    lead = service.update_lead(
        session, ctx, settings, reference, change, expected_version=body.expected_version
    )
    return LeadOut.model_validate(lead)


@router.get("/leads/{reference}/group")
def get_group(reference: str, session: DbSession, ctx: Ctx) -> list[LeadOut]:
    """List the leads of this lead's group that the caller may see, oldest first."""
    view = service.read_lead(session, ctx, reference)
    return [LeadOut.model_validate(lead) for lead in group_members(session, ctx, view.lead)]


@router.post("/leads/{reference}/assign", responses=error_responses(403))
def assign_lead(reference: str, body: AssignIn, session: DbSession, ctx: Ctx) -> LeadOut:
    """Assign a lead to a person (it becomes assigned) or route it to a unit's queue."""
    lead = service.assign(
        session, ctx, reference, username=body.username, unit_name=body.unit, reason=body.reason
    )
    return LeadOut.model_validate(lead)


@router.post("/leads/{reference}/status", responses=error_responses(403, 409))
def change_status(reference: str, body: StatusIn, session: DbSession, ctx: Ctx) -> LeadOut:
    lead = service.change_status(
        session, ctx, reference, to_status=body.status, reason=body.reason, close_reason=body.close_reason
    )
    return LeadOut.model_validate(lead)


@router.post("/leads/{reference}/link", responses=error_responses(403, 409))
def link_case(
    reference: str, body: LinkIn, session: DbSession, ctx: Ctx, settings: AppSettings
) -> ConversionOut:
    """Link the lead to a case the caller may change, carrying its facts and attachments."""
    return _conversion(conversion.link_case(session, ctx, settings, reference, case_number=body.case_number))


@router.post(
    "/leads/{reference}/case", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409)
)
def open_case(
    reference: str, body: OpenCaseIn, session: DbSession, ctx: Ctx, settings: AppSettings
) -> ConversionOut:
    """Open a new case from the lead, carrying its facts and attachments."""
    result = conversion.open_case_from_lead(
        session,
        ctx,
        settings,
        reference,
        title=body.title,
        lead_username=body.lead,
        sensitivity=body.sensitivity,
        offence_category=body.offence_category,
    )
    return _conversion(result)


def _attachments(files: list[UploadFile]) -> list[Attachment]:
    return [
        Attachment(
            file_name=item.filename or "attachment",
            media_type=item.content_type or "",
            stream=item.file,
            size=item.size,
        )
        for item in files
        if item.filename
    ]


@router.post(
    "/tips",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(403, 429),
    dependencies=[Depends(verify_csrf)],
)
def submit_tip(
    *,
    session: DbSession,
    ctx: OptionalCtx,
    settings: AppSettings,
    body: Annotated[str, Form(description="What the tipster saw or knows.")],
    location: Annotated[str, Form()] = "",
    occurred_at: Annotated[
        str, Form(description="When, e.g. 2026-03-01T22:15, read in CASETRAIL_LEADS__FORM_TIMEZONE.")
    ] = "",
    names: Annotated[str, Form(description="Names of people or businesses, one per line.")] = "",
    plates: Annotated[str, Form(description="Vehicle plates, one per line.")] = "",
    contact_name: Annotated[str, Form()] = "",
    contact_phone: Annotated[str, Form()] = "",
    contact_email: Annotated[str, Form()] = "",
    contact_address: Annotated[str, Form()] = "",
    files: Annotated[
        list[UploadFile], File(description="Attachments; see CASETRAIL_LEADS__MAX_ATTACHMENTS.")
    ] = [],  # noqa: B006
) -> TipReceiptOut:
    """Submit a tip without an account. Leave every contact field empty to stay anonymous."""
    receipt = public.submit_public_tip(
        session,
        ctx,
        settings,
        facts=LeadFacts(
            body=body,
            location=location,
            occurred_at=parse_local_time(occurred_at, settings.leads.form_timezone),
            subject_names=names.splitlines(),
            vehicle_plates=plates.splitlines(),
        ),
        contact=LeadContact(
            name=contact_name, phone=contact_phone, email=contact_email, address=contact_address
        ),
        attachments=_attachments(files),
    )
    return TipReceiptOut(receipt_code=receipt.code)


@router.post("/tips/receipt", responses=error_responses(403, 429), dependencies=[Depends(verify_csrf)])
def add_to_tip(
    *,
    session: DbSession,
    ctx: OptionalCtx,
    settings: AppSettings,
    code: Annotated[str, Form(description="The receipt code given when the tip was submitted.")],
    body: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile], File()] = [],  # noqa: B006
) -> TipAdditionOut:
    """Add information to a tip with its receipt code. A wrong code returns 404 and counts as an attempt."""
    documents = public.add_with_receipt(
        session, ctx, settings, code=code, body=body, attachments=_attachments(files)
    )
    return TipAdditionOut(attachments=len(documents))

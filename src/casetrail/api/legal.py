"""Legal documents: templates, documents of a case, review steps, downloads, redaction, verification.

A document moves draft → submitted → approved → filed, or back to returned with comments.
Approval issues the PDF: its bytes are stored and every later download of that version serves
them. ``POST /legal/verify`` takes a PDF as the raw request body and returns whether it is
an issued version.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response

from casetrail.api.evidence_files import Store, binary_response, content_disposition
from casetrail.api.openapi import error_responses
from casetrail.api.schemas.legal import (
    ActionsOut,
    DocumentCreate,
    DocumentDetail,
    DocumentEdit,
    DocumentSummary,
    EventOut,
    FilingStep,
    RedactionRequest,
    ReviewStep,
    TemplateDetail,
    TemplateFieldOut,
    TemplateOut,
    TemplateSave,
    TemplateVersionOut,
    VerificationOut,
    VersionOut,
)
from casetrail.core.errors import ValidationFailed
from casetrail.http.deps import Ctx, DbSession
from casetrail.legal import library, redaction, review, service
from casetrail.legal.library import TemplateView
from casetrail.legal.models import LegalDocument
from casetrail.legal.service import DocumentView
from casetrail.legal.verify import verify_pdf

VERIFY_MEDIA_TYPES = ("application/pdf", "application/octet-stream")
MAX_VERIFY_BYTES = 256 * 1024 * 1024
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

templates_router = APIRouter(prefix="/legal", tags=["legal documents"], responses=error_responses(403))
router = APIRouter(prefix="/cases/{number}/legal", tags=["legal documents"], responses=error_responses(404))


def _template_out(view: TemplateView) -> TemplateOut:
    return TemplateOut(
        key=view.template.key,
        name=view.template.name,
        description=view.template.description,
        version=view.current.number,
        sha256=view.current.sha256,
        fields=[TemplateFieldOut(**vars(field)) for field in view.definition.fields],
    )


@templates_router.get("/templates")
def list_templates(session: DbSession, ctx: Ctx) -> list[TemplateOut]:
    """List the templates with their current version and fields (case workers and administrators)."""
    return [_template_out(view) for view in library.list_templates(session, ctx)]


@templates_router.get("/templates/{key}", responses=error_responses(404))
def get_template(key: str, session: DbSession, ctx: Ctx) -> TemplateDetail:
    """Read a template's current source and field definitions, and its version history."""
    view = library.get_template(session, ctx, key)
    versions = library.template_history(session, ctx, key)
    return TemplateDetail(
        **_template_out(view).model_dump(),
        source=view.current.source,
        definition=view.current.definition,
        versions=[
            TemplateVersionOut(
                number=item.number,
                sha256=item.sha256,
                comment=item.comment,
                created_by=item.created_by,
                created_at=item.created_at,
            )
            for item in versions
        ],
    )


@templates_router.put("/templates/{key}", status_code=status.HTTP_201_CREATED)
def save_template(key: str, body: TemplateSave, session: DbSession, ctx: Ctx) -> TemplateOut:
    """Save a new version of a template, or a new template (administrators).

    The version is saved only if it compiles against sample data and keeps the Casetrail footer;
    otherwise 422 names the template and the line.
    """
    library.save_template_version(
        session, ctx, key, source=body.source, definition=body.definition, comment=body.comment
    )
    return _template_out(library.get_template(session, ctx, key))


@templates_router.post(
    "/verify",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def verify(request: Request, session: DbSession, ctx: Ctx) -> VerificationOut:
    """Tell whether the PDF in the request body is a version Casetrail issued, and which."""
    # A form upload would be hashed with its multipart framing and read as a changed file.
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in VERIFY_MEDIA_TYPES:
        raise ValidationFailed(
            f"send the PDF itself as the request body with Content-Type application/pdf, "
            f"not {media_type or 'no Content-Type'}",
            {"content-type": "must be application/pdf"},
        )
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_VERIFY_BYTES:
            raise ValidationFailed(f"the PDF is larger than {MAX_VERIFY_BYTES} bytes", {"body": "too large"})
    result = verify_pdf(session, ctx, bytes(data))
    return VerificationOut(
        verdict=result.verdict.value,
        sha256=result.sha256,
        document_id=result.document_id,
        version=result.version,
        case=result.case_number,
        title=result.title,
        status=result.status,
        issued_sha256=result.issued_sha256,
        message=result.describe(),
    )


def _summary(document: LegalDocument, template_key: str) -> DocumentSummary:
    return DocumentSummary(
        id=document.id,
        title=document.title,
        template=template_key,
        status=document.status,
        latest_version=document.latest_version,
        author=document.author_name,
        redacted_from=document.redacted_from_id,
        created_at=document.created_at,
        updated_at=document.updated_at,
        version=document.version,
    )


def _detail(view: DocumentView) -> DocumentDetail:
    document = view.document
    return DocumentDetail(
        **_summary(document, view.opened.template.key).model_dump(),
        filed_reference=document.filed_reference,
        case_document_id=document.case_document_id,
        versions=[
            VersionOut(
                number=version.number,
                template_version=int(version.inputs["template"]["version"]),
                content_sha256=version.content_sha256,
                pdf_sha256=version.pdf_sha256,
                created_by=version.created_by,
                created_at=version.created_at,
                approved_by=version.approved_by,
                issued_at=version.issued_at,
            )
            for version in view.versions
        ],
        events=[
            EventOut(
                action=event.action,
                version=event.version_number,
                from_status=event.from_status,
                to_status=event.to_status,
                comment=event.comment,
                actor=event.actor_name,
                at=event.at,
            )
            for event in view.events
        ],
        actions=ActionsOut(**vars(view.actions)),
        redacted_copies=[copy.id for copy in view.copies],
    )


def _reread(session: DbSession, ctx: Ctx, number: str, document_id: str) -> DocumentDetail:
    return _detail(service.get_document(session, ctx, number, document_id))


@router.get("")
def list_documents(number: str, session: DbSession, ctx: Ctx) -> list[DocumentSummary]:
    """List the case's legal documents and redacted copies, newest first."""
    documents = service.list_documents(session, ctx, number)
    keys = {view.template.id: view.template.key for view in library.list_templates(session, ctx)}
    return [_summary(document, keys.get(document.template_id, "")) for document in documents]


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409))
def create_document(number: str, body: DocumentCreate, session: DbSession, ctx: Ctx) -> DocumentDetail:
    """Create a draft from a template with the chosen case data (case writers)."""
    document = service.create_document(
        session,
        ctx,
        number,
        template_key=body.template,
        title=body.title,
        selection=body.selection.model_dump(),
        sections=body.sections,
    )
    return _reread(session, ctx, number, document.id)


@router.get("/{document_id}")
def get_document(number: str, document_id: str, session: DbSession, ctx: Ctx) -> DocumentDetail:
    """Read a document with its versions, review steps, comments and what the caller may do."""
    return _reread(session, ctx, number, document_id)


@router.put("/{document_id}", responses=error_responses(403, 409))
def edit_document(
    number: str, document_id: str, body: DocumentEdit, session: DbSession, ctx: Ctx
) -> DocumentDetail:
    """Save edited sections as a new version, with the case facts read again (draft or returned)."""
    service.edit_document(
        session,
        ctx,
        number,
        document_id,
        sections=body.sections,
        expected_version=body.expected_version,
        title=body.title,
        selection=body.selection.model_dump() if body.selection else None,
    )
    return _reread(session, ctx, number, document_id)


@router.post("/{document_id}/submit", responses=error_responses(403, 409))
def submit(number: str, document_id: str, body: ReviewStep, session: DbSession, ctx: Ctx) -> DocumentDetail:
    """Submit the latest version for review; every required field must be filled."""
    review.submit(
        session, ctx, number, document_id, expected_version=body.expected_version, comment=body.comment
    )
    return _reread(session, ctx, number, document_id)


@router.post("/{document_id}/return", responses=error_responses(403, 409))
def return_document(
    number: str, document_id: str, body: ReviewStep, session: DbSession, ctx: Ctx
) -> DocumentDetail:
    """Return a submitted document with comments (a supervisor of the case's unit, not its author)."""
    review.return_document(
        session, ctx, number, document_id, expected_version=body.expected_version, comment=body.comment
    )
    return _reread(session, ctx, number, document_id)


@router.post("/{document_id}/approve", responses=error_responses(403, 409))
def approve(
    *, number: str, document_id: str, body: ReviewStep, session: DbSession, ctx: Ctx, store: Store
) -> DocumentDetail:
    """Approve and issue a submitted document (a supervisor of the case's unit, not its author)."""
    review.approve(
        session, ctx, store, number, document_id, expected_version=body.expected_version, comment=body.comment
    )
    return _reread(session, ctx, number, document_id)


@router.post("/{document_id}/file", responses=error_responses(403, 409))
def file_document(
    number: str, document_id: str, body: FilingStep, session: DbSession, ctx: Ctx
) -> DocumentDetail:
    """Record the filing of an approved document (the case lead or a supervisor)."""
    review.file_document(
        session, ctx, number, document_id, expected_version=body.expected_version, reference=body.reference
    )
    return _reread(session, ctx, number, document_id)


@router.post(
    "/{document_id}/redact", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409)
)
def redact(
    *, number: str, document_id: str, body: RedactionRequest, session: DbSession, ctx: Ctx, store: Store
) -> DocumentDetail:
    """Issue a redacted copy without the chosen entities' names and identifiers and the passages."""
    copy = redaction.redact_document(
        session,
        ctx,
        store,
        number,
        document_id,
        entity_ids=body.entities,
        passages=body.passages,
        version=body.version,
    )
    return _reread(session, ctx, number, copy.id)


VersionQuery = Annotated[int | None, Query(ge=1, description="Version number; default the latest.")]


@router.get(
    "/{document_id}/document.pdf",
    response_class=Response,
    responses=binary_response("application/pdf", "The PDF."),
)
def download_pdf(
    *, number: str, document_id: str, session: DbSession, ctx: Ctx, store: Store, version: VersionQuery = None
) -> Response:
    """Download a version as PDF: the issued file once approved, a draft rendering before."""
    document, chosen, pdf = service.document_pdf(session, ctx, store, number, document_id, version=version)
    name = f"{document.id}-v{chosen.number}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition("inline", name)},
    )


@router.get(
    "/{document_id}/document.docx",
    response_class=Response,
    responses=binary_response(DOCX_MEDIA_TYPE, "The DOCX."),
)
def download_docx(
    number: str, document_id: str, session: DbSession, ctx: Ctx, version: VersionQuery = None
) -> Response:
    """Download an editable DOCX of a version, built from the same inputs as the PDF."""
    document, chosen, data = service.document_docx(session, ctx, number, document_id, version=version)
    name = f"{document.id}-v{chosen.number}.docx"
    return Response(
        data,
        media_type=DOCX_MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition("attachment", name)},
    )


ROUTERS = (templates_router, router)

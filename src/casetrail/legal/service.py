"""Legal documents of a case: create from a template, edit, read, list and render.

Each save is a new ``LegalDocumentVersion`` holding the complete inputs of the template, so
every version stays readable and renders again the same. Review steps are in ``review``,
redacted copies in ``redaction``, checking a PDF in ``verify``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.blobs.store import BlobStore
from casetrail.cases.access import CaseAccess, ensure_not_frozen, open_case
from casetrail.cases.service import check_version, user_display
from casetrail.core.clock import utcnow
from casetrail.core.errors import IntegrityFailed, InvalidTransition, NotFound, ValidationFailed
from casetrail.legal import facts
from casetrail.legal.definitions import TemplateDefinition, parse_definition
from casetrail.legal.library import load_template, template_version
from casetrail.legal.models import LegalDocument, LegalDocumentEvent, LegalDocumentVersion, LegalTemplate
from casetrail.legal.models import LegalTemplateVersion as TemplateVersion
from casetrail.legal.render import compile_pdf
from casetrail.legal.sealing import content_sha256, footer_meta
from casetrail.legal.word import render_docx
from casetrail.legal.workflow import EDITABLE, DocumentStatus, ReviewAction

MAX_TITLE_LENGTH = 300


@dataclass(frozen=True)
class OpenedDocument:
    access: CaseAccess
    document: LegalDocument
    template: LegalTemplate


@dataclass(frozen=True)
class DocumentActions:
    """Actions the caller may take on the document now. Pages show only these buttons."""

    edit: bool
    submit: bool
    review: bool
    file: bool
    redact: bool


@dataclass(frozen=True)
class DocumentView:
    opened: OpenedDocument
    versions: list[LegalDocumentVersion]
    events: list[LegalDocumentEvent]
    definition: TemplateDefinition
    actions: DocumentActions
    copies: list[LegalDocument]
    """Redacted copies made from this document."""

    @property
    def document(self) -> LegalDocument:
        return self.opened.document

    @property
    def latest(self) -> LegalDocumentVersion:
        return self.versions[0]


def clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise ValidationFailed("a document needs a title", {"title": "missing"})
    if len(cleaned) > MAX_TITLE_LENGTH:
        raise ValidationFailed(
            f"the title has {len(cleaned)} characters, at most {MAX_TITLE_LENGTH} are allowed",
            {"title": "too long"},
        )
    return cleaned


def open_document(
    session: Session,
    ctx: RequestContext,
    number: str,
    document_id: str,
    permission: CasePermission,
    *,
    attempted: str,
    lock: bool = False,
) -> OpenedDocument:
    """Load a document of case ``number`` after checking ``permission`` on the case."""
    access = open_case(session, ctx, number, permission, attempted)
    document = session.get(LegalDocument, document_id, with_for_update=lock or None)
    if document is None or document.case_id != access.case.id:
        raise NotFound(f"legal document {document_id} not found in case {number}")
    template = session.get(LegalTemplate, document.template_id)
    assert template is not None
    return OpenedDocument(access, document, template)


def get_version(session: Session, document: LegalDocument, number: int | None = None) -> LegalDocumentVersion:
    wanted = number if number is not None else document.latest_version
    found = session.execute(
        select(LegalDocumentVersion).where(
            LegalDocumentVersion.document_id == document.id, LegalDocumentVersion.number == wanted
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"legal document {document.id} has no version {wanted}")
    return found


def _template_version_of(session: Session, version: LegalDocumentVersion) -> TemplateVersion:
    found = session.get(TemplateVersion, version.template_version_id)
    assert found is not None
    return found


def add_event(
    session: Session,
    ctx: RequestContext,
    document: LegalDocument,
    action: ReviewAction,
    *,
    from_status: str | None,
    comment: str = "",
) -> None:
    session.add(
        LegalDocumentEvent(
            document_id=document.id,
            version_number=document.latest_version,
            action=action.value,
            from_status=from_status,
            to_status=document.status,
            comment=comment,
            actor_name=ctx.actor.username,
            actor_id=ctx.actor.user_id,
        )
    )


def save_version(
    session: Session,
    ctx: RequestContext,
    document: LegalDocument,
    *,
    template_version_row: TemplateVersion,
    inputs: dict[str, Any],
    number: int,
) -> LegalDocumentVersion:
    version = LegalDocumentVersion(
        document_id=document.id,
        number=number,
        template_version_id=template_version_row.id,
        inputs=inputs,
        content_sha256=content_sha256(inputs),
        created_by=ctx.actor.username,
        created_by_id=ctx.actor.user_id,
    )
    session.add(version)
    return version


def _prepared_by(session: Session, ctx: RequestContext) -> str:
    display = user_display(session, ctx.actor.user_id)
    return f"{display} ({ctx.actor.username})" if display else ctx.actor.username


def _gather(
    session: Session,
    ctx: RequestContext,
    access: CaseAccess,
    template: LegalTemplate,
    template_row: TemplateVersion,
    *,
    title: str,
    selection: dict[str, Any],
    sections: dict[str, str],
) -> dict[str, Any]:
    definition = parse_definition(template_row.definition, template.key)
    inputs = facts.gather(
        session,
        ctx,
        access.case,
        key=template.key,
        template_version=template_row.number,
        definition=definition,
        title=title,
        selection=selection,
        sections=facts.clean_sections(definition, sections),
        prepared_at=utcnow(),
    )
    inputs["prepared_by"] = _prepared_by(session, ctx)
    return inputs


def create_document(
    session: Session,
    ctx: RequestContext,
    number: str,
    *,
    template_key: str,
    title: str,
    selection: dict[str, Any],
    sections: dict[str, str] | None = None,
) -> LegalDocument:
    """Create a draft from the current version of a template and the chosen case data."""
    access = open_case(session, ctx, number, CasePermission.WRITE, "legal.create")
    ensure_not_frozen(access.case)
    template = load_template(session, template_key)
    template_row = template_version(session, template, template.current_version)
    clean = facts.clean_selection(selection)
    document = LegalDocument(
        case_id=access.case.id,
        template_id=template.id,
        title=clean_title(title),
        status=DocumentStatus.DRAFT.value,
        selection=clean,
        latest_version=1,
        author_id=ctx.actor.user_id,
        author_name=ctx.actor.username,
    )
    session.add(document)
    session.flush()
    inputs = _gather(
        session,
        ctx,
        access,
        template,
        template_row,
        title=document.title,
        selection=clean,
        sections=sections or {},
    )
    save_version(session, ctx, document, template_version_row=template_row, inputs=inputs, number=1)
    add_event(session, ctx, document, ReviewAction.CREATE, from_status=None)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.LEGAL_CREATE,
        object_type="legal_document",
        object_id=document.id,
        case_id=access.case.id,
        detail={"template": template.key, "template_version": template_row.number},
    )
    return document


def edit_document(
    session: Session,
    ctx: RequestContext,
    number: str,
    document_id: str,
    *,
    sections: dict[str, str],
    expected_version: int | None,
    title: str | None = None,
    selection: dict[str, Any] | None = None,
) -> LegalDocumentVersion:
    """Save the edited sections as a new version, with the case facts read again.

    Facts are gathered again on every save (with ``selection``, or the document's earlier
    choice), from the template's current version, so a saved version shows the case as it was
    when it was saved.
    """
    opened = open_document(
        session, ctx, number, document_id, CasePermission.WRITE, attempted="legal.edit", lock=True
    )
    document = opened.document
    ensure_not_frozen(opened.access.case)
    check_version("legal document", document.id, document.version, expected_version)
    if DocumentStatus(document.status) not in EDITABLE:
        raise InvalidTransition(
            f"legal document {document.id} is {document.status}: "
            "only a draft or a returned document is edited"
        )
    if title is not None:
        document.title = clean_title(title)
    if selection is not None:
        document.selection = facts.clean_selection(selection)
    template_row = template_version(session, opened.template, opened.template.current_version)
    inputs = _gather(
        session, ctx, opened.access, opened.template, template_row,
        title=document.title, selection=document.selection, sections=sections,
    )  # fmt: skip
    document.latest_version += 1
    document.updated_at = utcnow()
    version = save_version(
        session,
        ctx,
        document,
        template_version_row=template_row,
        inputs=inputs,
        number=document.latest_version,
    )
    add_event(session, ctx, document, ReviewAction.EDIT, from_status=document.status)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.LEGAL_EDIT,
        object_type="legal_document",
        object_id=document.id,
        case_id=document.case_id,
        detail={"version": version.number, "sections": sorted(sections)},
    )
    return version


def author_ids(session: Session, document: LegalDocument) -> frozenset[str]:
    """Return the ids of the users who created the document or saved one of its versions."""
    editors = session.execute(
        select(LegalDocumentVersion.created_by_id).where(LegalDocumentVersion.document_id == document.id)
    ).scalars()
    return frozenset(user_id for user_id in [document.author_id, *editors] if user_id is not None)


def _actions(session: Session, ctx: RequestContext, opened: OpenedDocument) -> DocumentActions:
    status = DocumentStatus(opened.document.status)
    permissions = opened.access.permissions
    writer = CasePermission.WRITE in permissions
    reviewer = policy.can_review_legal_document(ctx.actor, permissions, author_ids(session, opened.document))
    return DocumentActions(
        edit=writer and status in EDITABLE,
        submit=writer and status in EDITABLE,
        review=reviewer and status == DocumentStatus.SUBMITTED,
        file=policy.can_file_legal_document(ctx.actor, permissions) and status == DocumentStatus.APPROVED,
        redact=writer and status in (DocumentStatus.APPROVED, DocumentStatus.FILED),
    )


def get_document(session: Session, ctx: RequestContext, number: str, document_id: str) -> DocumentView:
    opened = open_document(session, ctx, number, document_id, CasePermission.READ, attempted="legal.read")
    document = opened.document
    versions = list(
        session.execute(
            select(LegalDocumentVersion)
            .where(LegalDocumentVersion.document_id == document.id)
            .order_by(LegalDocumentVersion.number.desc())
        ).scalars()
    )
    events = list(
        session.execute(
            select(LegalDocumentEvent)
            .where(LegalDocumentEvent.document_id == document.id)
            .order_by(LegalDocumentEvent.at, LegalDocumentEvent.id)
        ).scalars()
    )
    copies = list(
        session.execute(
            select(LegalDocument)
            .where(LegalDocument.redacted_from_id == document.id)
            .order_by(LegalDocument.created_at)
        ).scalars()
    )
    definition = parse_definition(_template_version_of(session, versions[0]).definition, opened.template.key)
    record(
        session,
        ctx.audit_source,
        AuditAction.LEGAL_READ,
        object_type="legal_document",
        object_id=document.id,
        case_id=document.case_id,
    )
    return DocumentView(opened, versions, events, definition, _actions(session, ctx, opened), copies)


def list_documents(session: Session, ctx: RequestContext, number: str) -> list[LegalDocument]:
    """List the case's legal documents and redacted copies, newest first."""
    access = open_case(session, ctx, number, CasePermission.READ, "legal.list")
    documents = list(
        session.execute(
            select(LegalDocument)
            .where(LegalDocument.case_id == access.case.id)
            .order_by(LegalDocument.created_at.desc())
        ).scalars()
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.LEGAL_LIST,
        object_type="legal_document",
        case_id=access.case.id,
        detail={"returned": len(documents)},
    )
    return documents


def meta_for(document: LegalDocument, version: LegalDocumentVersion) -> dict[str, Any]:
    """Return the footer identity of ``version``; issued versions name their approver."""
    redacted_from = ""
    if document.redacted_from_id is not None:
        redacted_from = f"{document.redacted_from_id} version {document.redacted_from_version}"
    return footer_meta(
        document_id=document.id,
        version=version.number,
        status=document.status if version.number == document.latest_version else "superseded",
        content_hash=version.content_sha256,
        approved_by=version.approved_by or "",
        approved_at=version.issued_at,
        redacted_from=redacted_from,
    )


def render_version(session: Session, opened: OpenedDocument, version: LegalDocumentVersion) -> bytes:
    """Compile a version to PDF with its own template version (preamble included) and inputs."""
    template_row = _template_version_of(session, version)
    timestamp = version.issued_at or version.created_at
    return compile_pdf(
        opened.template.key,
        template_row.source,
        version.inputs,
        meta_for(opened.document, version),
        timestamp,
        preamble_source=template_row.preamble,
    )


def _read_blob(store: BlobStore, sha256: str) -> bytes:
    try:
        return b"".join(store.read(sha256))
    except NotFound:
        raise IntegrityFailed(f"the issued PDF {sha256} is missing from the blob store") from None


def document_pdf(
    session: Session,
    ctx: RequestContext,
    store: BlobStore,
    number: str,
    document_id: str,
    *,
    version: int | None = None,
) -> tuple[LegalDocument, LegalDocumentVersion, bytes]:
    """Return a version's PDF: the stored file when it was issued, a fresh rendering otherwise."""
    opened = open_document(session, ctx, number, document_id, CasePermission.READ, attempted="legal.download")
    chosen = get_version(session, opened.document, version)
    pdf = (
        _read_blob(store, chosen.pdf_sha256) if chosen.pdf_sha256 else render_version(session, opened, chosen)
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.LEGAL_DOWNLOAD,
        object_type="legal_document",
        object_id=opened.document.id,
        case_id=opened.document.case_id,
        detail={"version": chosen.number, "format": "pdf", "issued": chosen.pdf_sha256 is not None},
    )
    return opened.document, chosen, pdf


def document_docx(
    session: Session, ctx: RequestContext, number: str, document_id: str, version: int | None = None
) -> tuple[LegalDocument, LegalDocumentVersion, bytes]:
    """Return an editable DOCX of a version, built from the same inputs as its PDF."""
    opened = open_document(session, ctx, number, document_id, CasePermission.READ, attempted="legal.download")
    chosen = get_version(session, opened.document, version)
    definition = parse_definition(_template_version_of(session, chosen).definition, opened.template.key)
    data = render_docx(definition, chosen.inputs, meta_for(opened.document, chosen))
    record(
        session,
        ctx.audit_source,
        AuditAction.LEGAL_DOWNLOAD,
        object_type="legal_document",
        object_id=opened.document.id,
        case_id=opened.document.case_id,
        detail={"version": chosen.number, "format": "docx"},
    )
    return opened.document, chosen, data

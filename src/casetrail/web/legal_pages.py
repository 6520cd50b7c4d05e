"""Legal documents in the browser: a case's documents, new documents, editing, review and redaction.

Buttons for review steps appear only to who may take them: the page shows what
``DocumentView.actions`` (decided by the policy) allows, and the services check again on post.
Administrators edit templates under ``/legal/templates``. A template that fails its check is
rejected with the template's name and line on the error page, and the browser keeps the form.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from casetrail.auth import policy
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import open_case
from casetrail.cases.notes import list_notes
from casetrail.entities.service import list_entities
from casetrail.evidence.items import list_items
from casetrail.graph.charts import list_charts
from casetrail.http.deps import Ctx, DbSession
from casetrail.legal import library, redaction, review, service
from casetrail.legal.definitions import SOURCES
from casetrail.legal.render import shipped_file
from casetrail.web.evidence_files import DOWNLOAD_HEADERS, Store
from casetrail.web.forms import see_other
from casetrail.web.templating import render

router = APIRouter()

MAX_CHOICES = 500
# Subjects and redaction offer people and organisations; addresses and sanctions are facts about them.
SUBJECT_SCHEMA = "LegalEntity"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TextForm = Annotated[str, Form()]
ListForm = Annotated[list[str] | None, Form()]
VersionForm = Annotated[int, Form()]


def _document_url(number: str, document_id: str) -> str:
    return f"/cases/{number}/legal/{document_id}"


def _people_and_organisations(session: DbSession, ctx: Ctx, number: str) -> list[Any]:
    """Return the case's people, companies and organisations (FtM LegalEntity and its descendants)."""
    return list(list_entities(session, ctx, number, schema=SUBJECT_SCHEMA, limit=MAX_CHOICES).items)


def _choices(session: DbSession, ctx: Ctx, number: str) -> dict[str, Any]:
    """Return what an author may choose from the case: entities, items, notes and charts."""
    return {
        "entities": _people_and_organisations(session, ctx, number),
        "items": list_items(session, ctx, number),
        "notes": list_notes(session, ctx, number),
        "charts": list_charts(session, ctx, number),
    }


@router.get("/cases/{number}/legal")
def documents_page(request: Request, number: str, session: DbSession, ctx: Ctx) -> HTMLResponse:
    documents = service.list_documents(session, ctx, number)
    access = open_case(session, ctx, number, CasePermission.READ, "legal.list")
    templates = library.list_templates(session, ctx)
    names = {view.template.id: view.template.name for view in templates}
    context = {
        "case": access.case,
        "documents": documents,
        "template_names": names,
        "templates": templates,
        "can_write": CasePermission.WRITE in access.permissions,
    }
    return render(request, "legal/documents.html", context)


@router.get("/cases/{number}/legal/new")
def new_document_page(
    request: Request,
    number: str,
    session: DbSession,
    ctx: Ctx,
    template: Annotated[str, Query(max_length=64)],
) -> HTMLResponse:
    access = open_case(session, ctx, number, CasePermission.WRITE, "legal.create")
    view = library.get_template(session, ctx, template)
    context = {"case": access.case, "template": view, **_choices(session, ctx, number)}
    return render(request, "legal/new.html", context)


def _sections(form_fields: dict[str, Any]) -> dict[str, str]:
    return {
        key.removeprefix("section_"): str(value)
        for key, value in form_fields.items()
        if key.startswith("section_")
    }


@router.post("/cases/{number}/legal")
async def create_document(request: Request, number: str, session: DbSession, ctx: Ctx) -> RedirectResponse:
    form = await request.form()
    selection = {
        "subjects": [str(value) for value in form.getlist("subjects")],
        "evidence": [str(value) for value in form.getlist("evidence")],
        "notes": [str(value) for value in form.getlist("notes")],
        "chart": str(form.get("chart") or "") or None,
    }
    document = service.create_document(
        session,
        ctx,
        number,
        template_key=str(form.get("template", "")),
        title=str(form.get("title", "")),
        selection=selection,
        sections=_sections(dict(form.items())),
    )
    return see_other(_document_url(number, document.id), "Draft saved as version 1.")


@router.get("/cases/{number}/legal/{document_id}")
def document_page(
    request: Request, number: str, document_id: str, session: DbSession, ctx: Ctx
) -> HTMLResponse:
    view = service.get_document(session, ctx, number, document_id)
    context: dict[str, Any] = {"case": view.opened.access.case, "view": view, "sources": SOURCES}
    if view.actions.edit:
        context.update(_choices(session, ctx, number))
    if view.actions.redact:
        context["entities"] = _people_and_organisations(session, ctx, number)
    return render(request, "legal/document.html", context)


@router.post("/cases/{number}/legal/{document_id}/edit")
async def edit_document(
    request: Request, number: str, document_id: str, session: DbSession, ctx: Ctx
) -> RedirectResponse:
    form = await request.form()
    selection = {
        "subjects": [str(value) for value in form.getlist("subjects")],
        "evidence": [str(value) for value in form.getlist("evidence")],
        "notes": [str(value) for value in form.getlist("notes")],
        "chart": str(form.get("chart") or "") or None,
    }
    version = service.edit_document(
        session,
        ctx,
        number,
        document_id,
        sections=_sections(dict(form.items())),
        expected_version=int(str(form.get("expected_version", "0")) or 0),
        title=str(form.get("title", "")),
        selection=selection,
    )
    return see_other(_document_url(number, document_id), f"Saved as version {version.number}.")


@router.post("/cases/{number}/legal/{document_id}/submit")
def submit(
    *,
    number: str,
    document_id: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: VersionForm,
    comment: TextForm = "",
) -> RedirectResponse:
    review.submit(session, ctx, number, document_id, expected_version=expected_version, comment=comment)
    return see_other(_document_url(number, document_id), "Submitted for review.")


@router.post("/cases/{number}/legal/{document_id}/return")
def return_document(
    *,
    number: str,
    document_id: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: VersionForm,
    comment: TextForm = "",
) -> RedirectResponse:
    review.return_document(
        session, ctx, number, document_id, expected_version=expected_version, comment=comment
    )
    return see_other(_document_url(number, document_id), "Returned to the author with your comments.")


@router.post("/cases/{number}/legal/{document_id}/approve")
def approve(
    *,
    number: str,
    document_id: str,
    session: DbSession,
    ctx: Ctx,
    store: Store,
    expected_version: VersionForm,
    comment: TextForm = "",
) -> RedirectResponse:
    version = review.approve(
        session, ctx, store, number, document_id, expected_version=expected_version, comment=comment
    )
    return see_other(
        _document_url(number, document_id), f"Approved and issued: SHA-256 {version.pdf_sha256}."
    )


@router.post("/cases/{number}/legal/{document_id}/file")
def file_document(
    *,
    number: str,
    document_id: str,
    session: DbSession,
    ctx: Ctx,
    expected_version: VersionForm,
    reference: TextForm = "",
) -> RedirectResponse:
    review.file_document(
        session, ctx, number, document_id, expected_version=expected_version, reference=reference
    )
    return see_other(_document_url(number, document_id), "Filing recorded.")


@router.post("/cases/{number}/legal/{document_id}/redact")
def redact(
    *,
    number: str,
    document_id: str,
    session: DbSession,
    ctx: Ctx,
    store: Store,
    entities: ListForm = None,
    passages: TextForm = "",
) -> RedirectResponse:
    copy = redaction.redact_document(
        session,
        ctx,
        store,
        number,
        document_id,
        entity_ids=[value for value in entities or [] if value],
        passages=[line for line in passages.splitlines() if line.strip()],
    )
    return see_other(_document_url(number, copy.id), "Redacted copy issued. The original is unchanged.")


@router.get("/cases/{number}/legal/{document_id}/document.pdf")
def download_pdf(
    *,
    number: str,
    document_id: str,
    session: DbSession,
    ctx: Ctx,
    store: Store,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    document, chosen, pdf = service.document_pdf(session, ctx, store, number, document_id, version=version)
    headers = {
        **DOWNLOAD_HEADERS,
        "Content-Disposition": f'inline; filename="{document.id}-v{chosen.number}.pdf"',
    }
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/cases/{number}/legal/{document_id}/document.docx")
def download_docx(
    number: str,
    document_id: str,
    session: DbSession,
    ctx: Ctx,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    document, chosen, data = service.document_docx(session, ctx, number, document_id, version=version)
    headers = {"Content-Disposition": f'attachment; filename="{document.id}-v{chosen.number}.docx"'}
    return Response(data, media_type=DOCX_MEDIA_TYPE, headers=headers)


# -- template administration -------------------------------------------------------------------


@router.get("/legal/templates")
def templates_page(request: Request, session: DbSession, ctx: Ctx) -> HTMLResponse:
    views = library.list_templates(session, ctx)
    can_edit = policy.can_manage_legal_templates(ctx.actor)
    return render(request, "legal/templates.html", {"templates": views, "can_edit": can_edit})


@router.get("/legal/templates/new")
def new_template_page(request: Request, session: DbSession, ctx: Ctx) -> HTMLResponse:
    policy.require_legal_template_admin(ctx)
    context = {
        "key": "",
        "source": shipped_file("case_summary.typ"),
        "definition": shipped_file("case_summary.toml"),
        "versions": [],
        "sources": SOURCES,
    }
    return render(request, "legal/template_edit.html", context)


@router.get("/legal/templates/{key}")
def template_page(request: Request, key: str, session: DbSession, ctx: Ctx) -> HTMLResponse:
    view = library.get_template(session, ctx, key)
    context = {
        "key": key,
        "view": view,
        "source": view.current.source,
        "definition": view.current.definition,
        "versions": library.template_history(session, ctx, key),
        "sources": SOURCES,
        "can_edit": policy.can_manage_legal_templates(ctx.actor),
    }
    return render(request, "legal/template_edit.html", context)


@router.post("/legal/templates")
def save_template(
    *,
    session: DbSession,
    ctx: Ctx,
    key: TextForm,
    source: TextForm,
    definition: TextForm,
    comment: TextForm = "",
) -> RedirectResponse:
    saved = library.save_template_version(
        session,
        ctx,
        key.strip(),
        source=source.replace("\r\n", "\n"),
        definition=definition.replace("\r\n", "\n"),
        comment=comment,
    )
    return see_other(
        f"/legal/templates/{key.strip()}", f"Template {key.strip()} version {saved.number} saved."
    )

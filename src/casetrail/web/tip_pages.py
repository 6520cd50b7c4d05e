"""The public tip form (/tips/new) and the receipt page (/tips/receipt), usable with no account.

The pages work without JavaScript and on a phone. The forms have no session to carry a CSRF
token, so they use the double-submit pattern of the login form: a random token in a
short-lived cookie and in a hidden field, compared in constant time. The submitted tip
returns its receipt code on the response page itself, which is never cached.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.core.ids import new_token
from casetrail.http.deps import DbSession, OptionalCtx
from casetrail.http.state import get_state
from casetrail.leads import public
from casetrail.leads.fields import LeadContact, LeadFacts, parse_local_time
from casetrail.leads.intake import Attachment
from casetrail.web.evidence_files import uploaded_files
from casetrail.web.templating import render

router = APIRouter()

TIP_CSRF_COOKIE = "casetrail_tip_csrf"
FORM_EXPIRED = "The form expired. Check what you typed and send it again."
NO_SUCH_RECEIPT = "No tip has this receipt code. Check it and try again."
FILES_AGAIN = " Choose your files again: they were not kept."
# Parts without a file name (no file chosen) are dropped.
Uploads = Annotated[list[UploadFile], Depends(uploaded_files)]


@dataclass(frozen=True)
class TipDraft:
    """The tipster's input, shown again in the form when it must be resubmitted."""

    body: str = ""
    location: str = ""
    occurred_at: str = ""
    names: str = ""
    plates: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_address: str = ""


def _limits(request: Request) -> dict[str, int]:
    leads = get_state(request).settings.leads
    return {
        "max_attachments": leads.max_attachments,
        "max_attachment_mib": max(leads.max_attachment_bytes // (1024 * 1024), 1),
        "max_text_length": leads.max_text_length,
    }


def _form_page(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a public form with a fresh double-submit token in the page and in a cookie."""
    token = new_token(24)
    response = render(
        request, template, {**context, **_limits(request), "form_token": token}, status_code=status_code
    )
    response.set_cookie(
        TIP_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=get_state(request).settings.session.secure_cookie,
        path="/tips",
    )
    return response


def _token_valid(request: Request, given: str) -> bool:
    expected = request.cookies.get(TIP_CSRF_COOKIE, "")
    return bool(expected) and hmac.compare_digest(expected, given)


def _attachments(files: list[UploadFile]) -> list[Attachment]:
    # A form submitted with no file chosen sends one part without a file name.
    return [
        Attachment(
            file_name=item.filename, media_type=item.content_type or "", stream=item.file, size=item.size
        )
        for item in files
        if item.filename
    ]


@router.get("/tips/new")
def tip_form(request: Request) -> HTMLResponse:
    return _form_page(request, "tips/new.html", {"draft": TipDraft(), "error": None, "fields": {}})


@router.post("/tips/new")
def submit_tip(
    *,
    request: Request,
    session: DbSession,
    ctx: OptionalCtx,
    form_token: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    occurred_at: Annotated[str, Form()] = "",
    names: Annotated[str, Form()] = "",
    plates: Annotated[str, Form()] = "",
    contact_name: Annotated[str, Form()] = "",
    contact_phone: Annotated[str, Form()] = "",
    contact_email: Annotated[str, Form()] = "",
    contact_address: Annotated[str, Form()] = "",
    files: Uploads,
) -> HTMLResponse:
    draft = TipDraft(
        body,
        location,
        occurred_at,
        names,
        plates,
        contact_name,
        contact_phone,
        contact_email,
        contact_address,
    )
    if not _token_valid(request, form_token):
        context = {"draft": draft, "error": FORM_EXPIRED, "fields": {}}
        return _form_page(request, "tips/new.html", context, status_code=403)
    settings = get_state(request).settings
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
    context = {"code": receipt.code, "attachments": len(receipt.attachments)}
    response = render(request, "tips/received.html", context)
    response.delete_cookie(TIP_CSRF_COOKIE, path="/tips")
    return response


@router.get("/tips/receipt")
def receipt_form(request: Request) -> HTMLResponse:
    return _form_page(request, "tips/receipt.html", {"error": None, "code": "", "body": ""})


@router.post("/tips/receipt")
def add_to_tip(
    *,
    request: Request,
    session: DbSession,
    ctx: OptionalCtx,
    form_token: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    files: Uploads,
) -> HTMLResponse:
    if not _token_valid(request, form_token):
        context = {"error": FORM_EXPIRED, "code": code, "body": body}
        return _form_page(request, "tips/receipt.html", context, status_code=403)
    attachments = _attachments(files)
    try:
        documents = public.add_with_receipt(
            session, ctx, get_state(request).settings, code=code, body=body, attachments=attachments
        )
    except NotFound:
        # The code field is left empty, so that the page says nothing about the typed code
        # beyond "no tip has it". The attempt was already counted against the rate limit.
        error = NO_SUCH_RECEIPT + (FILES_AGAIN if attachments else "")
        context = {"error": error, "code": "", "body": body}
        return _form_page(request, "tips/receipt.html", context, status_code=404)
    except ValidationFailed as exc:
        message = str(exc)
        error = f"{message[:1].upper()}{message[1:]}." + (FILES_AGAIN if attachments else "")
        context = {"error": error, "code": code, "body": body}
        return _form_page(request, "tips/receipt.html", context, status_code=422)
    response = render(request, "tips/added.html", {"attachments": len(documents)})
    response.delete_cookie(TIP_CSRF_COOKIE, path="/tips")
    return response

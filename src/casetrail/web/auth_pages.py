"""Login and logout pages.

The login form has no session yet, so it is protected against cross-site posting with a
double-submit token: the form carries the same random value as a short-lived cookie. A site
that cannot read our cookies cannot forge the pair.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from casetrail.auth import service as auth_service
from casetrail.auth.roles import Role
from casetrail.core.ids import new_token
from casetrail.core.settings import Settings
from casetrail.http.deps import SESSION_COOKIE, Ctx, CurrentIdentity, DbSession, OptionalCtx
from casetrail.http.state import get_state
from casetrail.web.forms import see_other
from casetrail.web.templating import render

router = APIRouter()

LOGIN_CSRF_COOKIE = "casetrail_login_csrf"
# One message for every failure, so that the page does not tell unknown accounts, wrong
# passwords, missing one-time codes and locked accounts apart.
LOGIN_FAILED_MESSAGE = (
    "Login failed. Check the username, password and one-time code. "
    "After repeated failures the account is locked for a while."
)
LOGIN_EXPIRED_MESSAGE = "The login form expired. Enter your details again."


def safe_next(value: str | None) -> str:
    """Return ``value`` if it is a path on this site, else the case list (no open redirects)."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/cases"


# Auditors and intake staff have no case content to work on by their role: their work starts
# at the audit trail and the triage queue.
_LANDING_PAGES: dict[str, str] = {Role.AUDITOR: "/audit", Role.INTAKE: "/leads"}


def landing_page(role: str) -> str:
    """Return the page a user of ``role`` starts on."""
    return _LANDING_PAGES.get(role, "/cases")


@router.get("/")
def home(identity: CurrentIdentity) -> RedirectResponse:
    target = landing_page(identity.user.role) if identity.user is not None else "/cases"
    return RedirectResponse(target, status_code=303)


@router.get("/login")
def login_form(
    request: Request, identity: CurrentIdentity, next_url: Annotated[str, Query(alias="next")] = "/cases"
) -> Response:
    if identity.user is not None:
        return RedirectResponse(safe_next(next_url), status_code=303)
    return _login_page(request, next_url=safe_next(next_url), error=None, username="", status_code=200)


@router.post("/login")
def login(
    *,
    request: Request,
    session: DbSession,
    ctx: OptionalCtx,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    totp_code: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next_url: Annotated[str, Form(alias="next")] = "/cases",
) -> Response:
    target = safe_next(next_url)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _login_page(
            request, next_url=target, error=LOGIN_EXPIRED_MESSAGE, username=username, status_code=403
        )

    settings = get_state(request).settings
    result = auth_service.login(
        session,
        ctx,
        settings,
        username=username.strip(),
        password=password,
        totp_code=totp_code.strip() or None,
    )
    if result is None:
        # The failure count and its audit entry must persist although the login fails.
        session.commit()
        return _login_page(
            request, next_url=target, error=LOGIN_FAILED_MESSAGE, username=username, status_code=401
        )

    if target == "/cases":
        target = landing_page(result.user.role)
    response = see_other(target)
    _set_session_cookie(response, settings, result.session_token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(session: DbSession, ctx: Ctx, identity: CurrentIdentity) -> Response:
    if identity.session_token is not None:
        auth_service.logout(session, ctx, identity.session_token)
    response = see_other("/login", "You are logged out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _login_page(
    request: Request, *, next_url: str, error: str | None, username: str, status_code: int
) -> Response:
    token = new_token(24)
    response = render(
        request,
        "login.html",
        {"next_url": next_url, "error": error, "username": username, "login_csrf": token},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=get_state(request).settings.session.secure_cookie,
        path="/login",
    )
    return response


def _set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    # No max-age: the browser drops the cookie when it closes, and the server ends the session
    # after its idle and absolute limits in any case.
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.session.secure_cookie,
        path="/",
    )

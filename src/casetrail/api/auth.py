"""Login with a password (and a TOTP code), logout, and the caller's own account.

Login sets the session cookie; later requests authenticate with it, and unsafe methods made
with the cookie must carry the session's CSRF token. Scripts use an API token instead.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from casetrail.api.dependencies import AppSettings
from casetrail.api.openapi import error_responses
from casetrail.api.schemas.auth import LoginRequest, LoginResponse, MeResponse
from casetrail.api.users import user_out
from casetrail.auth import service as auth_service
from casetrail.auth.context import anonymous_context
from casetrail.core.errors import AuthenticationFailed
from casetrail.core.settings import Settings
from casetrail.http.deps import (
    SESSION_COOKIE,
    Ctx,
    CurrentIdentity,
    DbSession,
    client_addr_for,
    request_id_for,
)

router = APIRouter(prefix="/auth", tags=["auth"])

# One message for every failure, so a caller cannot tell unknown accounts, wrong passwords,
# missing one-time codes and locked accounts apart.
LOGIN_FAILED_MESSAGE = (
    "login failed: check the username, password and one-time code. "
    "After repeated failures the account is locked for a while."
)


@router.post("/login")
def login(
    body: LoginRequest, request: Request, response: Response, session: DbSession, settings: AppSettings
) -> LoginResponse:
    """Check the credentials, open a session and set its cookie."""
    # The person logging in is not known yet, and a cookie or token sent along does not name them.
    ctx = anonymous_context(client_addr_for(request), request_id_for(request))
    result = auth_service.login(
        session,
        ctx,
        settings,
        username=body.username,
        password=body.password.get_secret_value(),
        totp_code=body.totp_code,
    )
    if result is None:
        # The failure count and the audit entry must persist although the request fails.
        session.commit()
        raise AuthenticationFailed(LOGIN_FAILED_MESSAGE)
    _set_session_cookie(response, settings, result.session_token)
    return LoginResponse(user=user_out(session, result.user), csrf_token=result.csrf_token)


def _set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    # No max-age: the browser drops the cookie when it closes, and the server ends the session
    # after the idle and absolute limits in any case.
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.session.secure_cookie,
        path="/",
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403))
def logout(session: DbSession, ctx: Ctx, identity: CurrentIdentity, response: Response) -> None:
    """End the cookie's session. API tokens stay valid; they are revoked separately."""
    if identity.session_token is not None:
        auth_service.logout(session, ctx, identity.session_token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me")
def me(session: DbSession, _ctx: Ctx, identity: CurrentIdentity) -> MeResponse:
    """Return the caller's account, and the CSRF token when the caller uses the session cookie."""
    assert identity.user is not None  # Ctx rejects anonymous callers
    via = "token" if identity.via == "token" else "session"
    return MeResponse(
        user=user_out(session, identity.user), authenticated_via=via, csrf_token=identity.csrf_token
    )

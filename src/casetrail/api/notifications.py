"""The caller's notifications, their live stream, preferences, and following a case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from casetrail.api.dependencies import AppSettings
from casetrail.api.openapi import error_responses
from casetrail.api.schemas.notifications import (
    FollowOut,
    KindChoiceOut,
    MarkedRead,
    NotificationOut,
    PreferencesOut,
    PreferencesUpdate,
    UnreadCount,
)
from casetrail.auth import service as auth_service
from casetrail.http.deps import SESSION_COOKIE, Ctx, DbSession
from casetrail.http.state import AppState, get_state
from casetrail.notifications import follows, preferences, service, stream
from casetrail.notifications.preferences import Preferences
from casetrail.notifications.writer import Choice

router = APIRouter(tags=["notifications"])

SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


@router.get("/notifications")
def list_notifications(
    session: DbSession,
    ctx: Ctx,
    unread: Annotated[bool, Query(description="Only unread notifications.")] = False,
    before: Annotated[int | None, Query(ge=1, description="Only notifications with a lower seq.")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> list[NotificationOut]:
    """List the caller's notifications, newest first."""
    rows = service.list_notifications(session, ctx, unread_only=unread, before_seq=before, limit=limit)
    return [NotificationOut.model_validate(row) for row in rows]


@router.get("/notifications/unread-count")
def unread_count(session: DbSession, ctx: Ctx) -> UnreadCount:
    return UnreadCount(unread=service.unread_count(session, ctx.actor))


@router.get(
    "/notifications/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": {"type": "string", "format": "binary"}}},
            "description": "Server-sent events.",
        }
    },
)
def notification_stream(
    request: Request,
    session: DbSession,
    ctx: Ctx,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """Stream new notifications as server-sent events; resume after ``Last-Event-ID``.

    Events: ``notification`` (id = seq, data = the notification and the unread count) and
    ``unread`` (data = the unread count when it changes). Comment lines keep the connection open.
    """
    state = get_state(request)
    source = stream.StreamSource(
        factory=state.factory,
        actor=ctx.actor,
        settings=state.settings.notifications,
        still_authenticated=lambda: _still_authenticated(state, request),
        disconnected=request.is_disconnected,
    )
    # The start is read in the request's own transaction: on SQLite a second one would wait
    # for the write lock that this request holds until the endpoint returns.
    position = stream.parse_last_event_id(last_event_id)
    if position is None:
        position = service.latest_seq(session, ctx.actor)
    return StreamingResponse(
        stream.events(source, position), media_type="text/event-stream", headers=SSE_HEADERS
    )


def _still_authenticated(state: AppState, request: Request) -> bool:
    """Return True while the cookie or token that opened the stream is still valid.

    The check rolls back, so an open stream neither refreshes the session's idle timer nor
    records a token use: a forgotten tab does not keep a session alive.
    """
    session = state.factory()
    try:
        authorization = request.headers.get("Authorization", "")
        if authorization.lower().startswith("bearer "):
            return auth_service.resolve_api_token(session, authorization[7:].strip()) is not None
        cookie = request.cookies.get(SESSION_COOKIE)
        return (
            cookie is not None and auth_service.resolve_session(session, state.settings, cookie) is not None
        )
    finally:
        session.rollback()
        session.close()


@router.post("/notifications/{notification_id}/read", responses=error_responses(403, 404))
def mark_read(notification_id: str, session: DbSession, ctx: Ctx) -> NotificationOut:
    return NotificationOut.model_validate(service.mark_read(session, ctx, notification_id))


@router.post("/notifications/read-all", responses=error_responses(403))
def mark_all_read(session: DbSession, ctx: Ctx) -> MarkedRead:
    return MarkedRead(marked=service.mark_all_read(session, ctx))


def _preferences_out(result: Preferences) -> PreferencesOut:
    return PreferencesOut(
        choices=[
            KindChoiceOut(kind=item.kind, label=item.label, in_app=item.in_app, email=item.email)
            for item in result.choices
        ],
        email_address=result.email_address,
        email_enabled=result.email_enabled,
    )


@router.get("/notifications/preferences")
def get_preferences(session: DbSession, ctx: Ctx, settings: AppSettings) -> PreferencesOut:
    """Return the caller's choice per kind and the address e-mail goes to."""
    return _preferences_out(preferences.get_preferences(session, ctx, settings))


@router.put("/notifications/preferences", responses=error_responses(403))
def set_preferences(
    body: PreferencesUpdate, session: DbSession, ctx: Ctx, settings: AppSettings
) -> PreferencesOut:
    """Change the caller's choices for the kinds given, and the e-mail address if given."""
    choices = {
        preferences.parse_kind(kind): Choice(in_app=value.in_app, email=value.email)
        for kind, value in body.kinds.items()
    }
    result = preferences.set_preferences(session, ctx, settings, choices)
    if "email_address" in body.model_fields_set:
        result = preferences.set_email_address(session, ctx, settings, body.email_address)
    return _preferences_out(result)


@router.post("/cases/{number}/follow", responses=error_responses(403, 404))
def follow_case(number: str, session: DbSession, ctx: Ctx) -> FollowOut:
    """Follow a case: its new facts reach the caller as notifications."""
    follows.follow_case(session, ctx, number)
    return FollowOut(case_number=number, following=True)


@router.delete("/cases/{number}/follow", responses=error_responses(403, 404))
def unfollow_case(number: str, session: DbSession, ctx: Ctx) -> FollowOut:
    follows.unfollow_case(session, ctx, number)
    return FollowOut(case_number=number, following=False)

"""Notifications in the web UI: the header bell, the list, the settings page and following a case.

The bell's count and a case's follow state are read in the request's own transaction, through
the session that loaded the logged-in user: on SQLite a second transaction would wait for the
request's write lock. ``static/notifications.js`` keeps the bell current over the live stream.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session, object_session

from casetrail.auth.models import User
from casetrail.auth.service import actor_for
from casetrail.http.deps import Ctx, DbSession
from casetrail.http.state import get_state
from casetrail.notifications import follows, preferences, service
from casetrail.notifications.kinds import KINDS
from casetrail.notifications.models import CaseFollow
from casetrail.notifications.writer import Choice
from casetrail.web.forms import see_other
from casetrail.web.templating import render, templates

router = APIRouter()


def _request_session(request: Request) -> tuple[Session, User] | None:
    identity = getattr(request.state, "identity", None)
    user: User | None = getattr(identity, "user", None)
    if user is None:
        return None
    session = object_session(user)
    if session is None or not session.is_active:
        return None
    return session, user


def unread_notification_count(request: Request) -> int:
    """Return the viewer's unread notifications for the header bell; 0 without a loaded user."""
    loaded = _request_session(request)
    if loaded is None:
        return 0
    session, user = loaded
    return service.unread_count(session, actor_for(user))


def follows_case(request: Request, case_id: str) -> bool:
    loaded = _request_session(request)
    if loaded is None:
        return False
    session, user = loaded
    return session.get(CaseFollow, (user.id, case_id)) is not None


templates.env.globals["unread_notification_count"] = unread_notification_count
templates.env.globals["follows_case"] = follows_case


@router.get("/notifications")
def notifications_page(
    request: Request,
    session: DbSession,
    ctx: Ctx,
    unread: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    rows = service.list_notifications(session, ctx, unread_only=unread, limit=service.MAX_PAGE)
    return render(request, "notifications.html", {"notifications": rows, "unread": unread})


@router.post("/notifications/{notification_id}/open")
def open_notification(notification_id: str, session: DbSession, ctx: Ctx) -> RedirectResponse:
    """Mark a notification read and go to the page it is about."""
    notification = service.mark_read(session, ctx, notification_id)
    return see_other(_local(notification.link))


@router.post("/notifications/read-all")
def read_all(session: DbSession, ctx: Ctx) -> RedirectResponse:
    marked = service.mark_all_read(session, ctx)
    return see_other("/notifications", f"{marked} marked read.")


def _local(path: str) -> str:
    return path if path.startswith("/") and not path.startswith("//") else "/notifications"


@router.get("/settings/notifications")
def settings_page(request: Request, session: DbSession, ctx: Ctx) -> HTMLResponse:
    settings = get_state(request).settings
    current = preferences.get_preferences(session, ctx, settings)
    followed = follows.followed_case_numbers(session, ctx)
    return render(request, "notification_settings.html", {"preferences": current, "followed": followed})


@router.post("/settings/notifications")
async def save_settings(request: Request, session: DbSession, ctx: Ctx) -> RedirectResponse:
    """Store every switch of the form: a checkbox left unticked is sent as absent, meaning off."""
    form = await request.form()
    settings = get_state(request).settings
    choices = {
        kind: Choice(
            in_app=form.get(f"{kind.value}.in_app") == "on", email=form.get(f"{kind.value}.email") == "on"
        )
        for kind in KINDS
    }
    preferences.set_preferences(session, ctx, settings, choices)
    address = form.get("email_address")
    preferences.set_email_address(session, ctx, settings, address if isinstance(address, str) else None)
    return see_other("/settings/notifications", "Notification settings saved.")


@router.post("/cases/{number}/follow")
def follow(number: str, session: DbSession, ctx: Ctx) -> RedirectResponse:
    follows.follow_case(session, ctx, number)
    return see_other(f"/cases/{number}", "You follow this case: new facts in it reach you as notifications.")


@router.post("/cases/{number}/unfollow")
def unfollow(number: str, session: DbSession, ctx: Ctx) -> RedirectResponse:
    follows.unfollow_case(session, ctx, number)
    return see_other(f"/cases/{number}", "You no longer follow this case.")

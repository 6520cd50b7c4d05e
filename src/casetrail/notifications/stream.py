"""The live notification stream as server-sent events, fed by short database polls.

Nothing is kept in process memory between polls except the stream's own position, so any
server process can serve any stream and a notification created by a worker elsewhere reaches
the browser on the next poll. Each notification goes out as a ``notification`` event whose id
is its ``seq``. A browser that reconnects sends that id as ``Last-Event-ID``, and the stream
resumes after it. An ``unread`` event carries the unread count whenever it changes (a notification read in
another tab lowers it), and a comment line keeps idle connections open through proxies.

The stream ends after ``stream_max_seconds``, when the client goes away, or when the login that
opened it is no longer valid; the browser's EventSource reconnects by itself.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from casetrail.auth.context import Actor
from casetrail.core.settings import NotificationSettings
from casetrail.db.engine import transaction
from casetrail.notifications import service
from casetrail.notifications.models import Notification

# How often the stream checks that the login that opened it is still valid, in seconds.
AUTH_RECHECK_SECONDS = 30.0
# Milliseconds the browser waits before it reconnects after the stream ends.
RETRY_MILLISECONDS = 3000


@dataclass(frozen=True)
class StreamSource:
    """Inputs of one stream: the database, the reader and the checks it repeats."""

    factory: sessionmaker[Session]
    actor: Actor
    settings: NotificationSettings
    still_authenticated: Callable[[], bool]
    disconnected: Callable[[], Awaitable[bool]]


def parse_last_event_id(value: str | None) -> int | None:
    """Return the ``seq`` in a Last-Event-ID header, or None when it is missing or not a number."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def notification_data(notification: Notification) -> dict[str, object]:
    return {
        "id": notification.id,
        "seq": notification.seq,
        "kind": notification.kind,
        "title": notification.title,
        "link": notification.link,
        "created_at": notification.created_at.isoformat(),
    }


def format_event(event: str, data: dict[str, object], event_id: int | None = None) -> str:
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines += [f"event: {event}", f"data: {json.dumps(data, separators=(',', ':'))}"]
    return "\n".join(lines) + "\n\n"


def _poll(
    factory: sessionmaker[Session], actor: Actor, after_seq: int
) -> tuple[list[tuple[int, dict[str, object]]], int]:
    with transaction(factory) as session:
        rows = service.notifications_after(session, actor, after_seq)
        batch = [(row.seq, notification_data(row)) for row in rows]
        return batch, service.unread_count(session, actor)


async def events(source: StreamSource, after_seq: int) -> AsyncIterator[str]:
    """Yield the stream's text: new notifications, unread counts and keep-alive comments."""
    settings = source.settings
    started = last_output = last_auth_check = time.monotonic()
    position = after_seq
    unread: int | None = None
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    while time.monotonic() - started < settings.stream_max_seconds:
        if await source.disconnected():
            return
        if time.monotonic() - last_auth_check >= AUTH_RECHECK_SECONDS:
            if not await run_in_threadpool(source.still_authenticated):
                return
            last_auth_check = time.monotonic()
        batch, count = await run_in_threadpool(_poll, source.factory, source.actor, position)
        for position, data in batch:
            yield format_event("notification", {**data, "unread": count}, event_id=position)
            last_output = time.monotonic()
        if count != unread:
            unread = count
            yield format_event("unread", {"unread": count})
            last_output = time.monotonic()
        if time.monotonic() - last_output >= settings.stream_heartbeat_seconds:
            yield ": keep-alive\n\n"
            last_output = time.monotonic()
        await asyncio.sleep(settings.stream_poll_seconds)

"""The notification stream on a real uvicorn server: live delivery, resume and cross-process polls.

The test process creates the notifications, so every event the stream delivers was written by
another process than the server's and reached it through the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.auth.models import User
from casetrail.cases import tasks as task_service
from casetrail.cases.members import add_member
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.notifications.follower import follow_until_caught_up
from tests.browser.conftest import LiveServer, start_server, stop_server
from tests.factories import PASSWORD, context_for, make_case, make_user

NUMBER = "2026-0142"
STREAM = "/api/v1/notifications/stream"


@dataclass(frozen=True)
class Event:
    name: str
    event_id: str | None
    data: dict[str, object]


@pytest.fixture
def alice(factory: sessionmaker[Session]) -> User:
    return make_user(factory, "alice", unit="Unit A")


@pytest.fixture
def server(
    factory: sessionmaker[Session],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    alice: User,
) -> Iterator[LiveServer]:
    make_user(factory, "carol", role="analyst", unit="Unit A")
    make_case(factory, "alice", number=NUMBER)
    with transaction(factory) as session:
        add_member(session, operator_context(), NUMBER, username="carol", role="analyst")
    monkeypatch.setenv("CASETRAIL_NOTIFICATIONS__STREAM_POLL_SECONDS", "0.2")
    monkeypatch.setenv("CASETRAIL_NOTIFICATIONS__STREAM_HEARTBEAT_SECONDS", "1")
    process, live = start_server(database_url, tmp_path)
    yield live
    stop_server(process)


@contextmanager
def _client(server: LiveServer, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=httpx.Timeout(30.0)) as client:
        response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        yield client


def _events(lines: Iterator[str]) -> Iterator[Event]:
    """Parse server-sent events; comment lines (keep-alives) come out as the event ":"."""
    name, event_id, data = "message", None, ""
    for line in lines:
        if line.startswith(":"):
            yield Event(":", None, {})
        elif line.startswith("event: "):
            name = line[7:]
        elif line.startswith("id: "):
            event_id = line[4:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and data:
            yield Event(name, event_id, json.loads(data))
            name, event_id, data = "message", None, ""


def _next(events: Iterator[Event], name: str) -> Event:
    for event in events:
        if event.name == name:
            return event
    raise AssertionError(f"the stream ended before a {name!r} event")


def _assign_task(factory: sessionmaker[Session], settings: Settings, alice: User) -> None:
    with transaction(factory) as session:
        task_service.add_task(
            session, context_for(alice), NUMBER, title="Canvass the street", assignee="carol"
        )
    follow_until_caught_up(factory, settings)


def test_stream_delivers_new_notification(
    server: LiveServer, factory: sessionmaker[Session], settings: Settings, alice: User
) -> None:
    with _client(server, "carol") as carol, carol.stream("GET", STREAM) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response.iter_lines())
        assert _next(events, "unread").data == {"unread": 0}
        _assign_task(factory, settings, alice)
        event = _next(events, "notification")
    assert event.data["title"] == f"Task assigned in {NUMBER}"
    assert event.data["kind"] == "task_assigned"
    assert event.data["unread"] == 1
    assert event.event_id == str(event.data["seq"])


def test_stream_resumes_after_last_event_id(
    server: LiveServer, factory: sessionmaker[Session], settings: Settings, alice: User
) -> None:
    _assign_task(factory, settings, alice)
    _assign_task(factory, settings, alice)
    with _client(server, "carol") as carol:
        with carol.stream("GET", STREAM, headers={"Last-Event-ID": "0"}) as response:
            events = _events(response.iter_lines())
            first = _next(events, "notification")
            second = _next(events, "notification")
        headers = {"Last-Event-ID": str(first.event_id)}
        with carol.stream("GET", STREAM, headers=headers) as response:
            resumed = _next(_events(response.iter_lines()), "notification")
    assert int(str(second.event_id)) > int(str(first.event_id))
    assert resumed.event_id == second.event_id


def test_stream_sends_keep_alive(server: LiveServer) -> None:
    with _client(server, "carol") as carol, carol.stream("GET", STREAM) as response:
        comment = _next(_events(response.iter_lines()), ":")
    assert comment.name == ":"


def test_stream_needs_login(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base_url, timeout=httpx.Timeout(30.0)) as anonymous:
        response = anonymous.get(STREAM)
    assert response.status_code == 401

"""Fixtures of the web UI tests: the real application on each backend and browser-like clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from casetrail.asgi import create_app
from casetrail.core.settings import Settings
from casetrail.db.engine import engine_for
from tests.factories import PASSWORD
from tests.web.html import log_in

BrowserFactory = Callable[..., TestClient]

# Browsers ask for HTML. Without this header the application returns errors as JSON.
BROWSER_HEADERS = {"accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.casetrail.engine.dispose()
    engine_for.cache_clear()


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers=BROWSER_HEADERS) as client:
        yield client


@pytest.fixture
def browser_for(app: FastAPI) -> Iterator[BrowserFactory]:
    """Return a function that logs a user in through the form and returns their client."""
    clients: list[TestClient] = []

    def login(username: str, password: str = PASSWORD) -> TestClient:
        client = TestClient(app, headers=BROWSER_HEADERS)
        clients.append(client)
        response = log_in(client, username, password)
        assert response.status_code == 303, response.text
        return client

    yield login
    for client in clients:
        client.close()

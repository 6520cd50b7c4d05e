"""Fixtures of the API tests: the real application on each backend, and logged-in clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from casetrail.asgi import create_app
from casetrail.core.settings import Settings
from casetrail.db.engine import engine_for
from casetrail.http.deps import CSRF_HEADER
from tests.factories import PASSWORD

LOGIN = "/api/v1/auth/login"

ClientFactory = Callable[..., TestClient]


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.casetrail.engine.dispose()
    engine_for.cache_clear()


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client_for(app: FastAPI) -> Iterator[ClientFactory]:
    """Return a function that logs a user in and gives a client carrying its cookie and CSRF token."""
    clients: list[TestClient] = []

    def login(username: str, password: str = PASSWORD) -> TestClient:
        client = TestClient(app)
        clients.append(client)
        response = client.post(LOGIN, json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        client.headers[CSRF_HEADER] = response.json()["csrf_token"]
        return client

    yield login
    for client in clients:
        client.close()

"""The OpenAPI document: valid, and describing every API route with its models and errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from casetrail.api.routes import API_PREFIX, CONTEXT_ROUTERS

OPENAPI = "/api/v1/openapi.json"
ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(anonymous: TestClient) -> dict[str, Any]:
    response = anonymous.get(OPENAPI)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
        if method in METHODS
    ]


def _schema_ref(response: dict[str, Any]) -> str | None:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref: str | None = schema.get("$ref")
    return ref


def test_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_every_api_route_is_documented(document: dict[str, Any]) -> None:
    routes = {
        (API_PREFIX + route.path_format, method.lower())
        for router in CONTEXT_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    documented = {(path, method) for path, method, _operation in _operations(document)}
    assert routes == documented
    assert len(routes) >= 30


def test_every_operation_documents_error_envelope(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        for status in ("401", "422"):
            assert _schema_ref(responses[status]) == ENVELOPE_REF, (path, method, status)
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert _schema_ref(response) == ENVELOPE_REF, (path, method, status)


def test_every_operation_has_success_model(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        successes = {
            status: body for status, body in operation["responses"].items() if status.startswith("2")
        }
        assert len(successes) == 1, (path, method)
        status, body = next(iter(successes.items()))
        if status == "204":
            assert "content" not in body, (path, method)
            continue
        content = body["content"]
        if "application/json" not in content:
            # A file download (PDF, zip, evidence file): binary under its media type.
            for media in content.values():
                assert media["schema"] == {"type": "string", "format": "binary"}, (path, method)
            continue
        schema = content["application/json"]["schema"]
        assert "$ref" in schema or schema.get("type") == "array", (path, method)


def test_case_scoped_routes_document_404(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        if path.startswith("/api/v1/cases/{number}"):
            assert "404" in operation["responses"], (path, method)


def test_unsafe_routes_document_403(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        if method != "get" and path != "/api/v1/auth/login":
            assert "403" in operation["responses"], (path, method)


def test_no_default_validation_schema(document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in document["components"]["schemas"]

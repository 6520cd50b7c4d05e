"""GET /api/v1/search: results, snippets, links, errors by parameter, purpose and need-to-know."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.db.engine import transaction
from casetrail.http.deps import PURPOSE_HEADER
from tests.api.conftest import ClientFactory
from tests.search.scenario import HARBOUR, NIGHT, SILENT, Scenario, build_scenario

URL = "/api/v1/search"
PURPOSE = {PURPOSE_HEADER: "check whether the nickname Moonface appears in other cases"}


@pytest.fixture
def scenario(factory: sessionmaker[Session]) -> Scenario:
    return build_scenario(factory)


@pytest.fixture
def okafor(client_for: ClientFactory, scenario: Scenario) -> TestClient:
    return client_for("okafor")


@pytest.fixture
def rivera(client_for: ClientFactory, scenario: Scenario) -> TestClient:
    return client_for("rivera")


def test_search_in_case(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(URL, params={"q": "moonface", "case": NIGHT, "types": "document"})
    body = response.json()
    result = body["results"][0]
    start, end = result["snippet"]["highlights"][0]
    assert response.status_code == 200
    assert body["total"] == 1
    assert result["page"] == 3
    assert result["case"] == NIGHT
    assert result["snippet"]["text"][start:end] == "Moonface"
    assert result["link"] == f"/documents/{scenario.ledger_id}?q=moonface&page=3#page-3"


def test_entity_and_note_links(okafor: TestClient, scenario: Scenario) -> None:
    body = okafor.get(
        URL, params={"q": "moonface OR informant", "case": NIGHT, "types": ["entity", "note"]}
    ).json()
    links = {result["type"]: result["link"] for result in body["results"]}
    assert links["entity"] == f"/cases/{NIGHT}/entities/{scenario.person_id}"
    assert links["note"].startswith(f"/cases/{NIGHT}#note-")


def test_pages_and_sort(okafor: TestClient, scenario: Scenario) -> None:
    params = {"q": "transfer", "case": NIGHT, "sort": "oldest", "page_size": 1, "page": 2}
    body = okafor.get(URL, params=params).json()
    assert body["pages"] == 2
    assert [result["id"] for result in body["results"]] == [scenario.letter_id]


def test_filters(okafor: TestClient, scenario: Scenario) -> None:
    params = {"q": "transfer", "case": NIGHT, "date_from": "2025-06", "author": "bank", "label": "bank"}
    body = okafor.get(URL, params=params).json()
    assert [result["id"] for result in body["results"]] == [scenario.letter_id]


def test_cross_case_with_purpose(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(URL, params={"q": "moonface"}, headers=PURPOSE)
    assert response.status_code == 200
    assert {result["case"] for result in response.json()["results"]} == {NIGHT, SILENT}


def test_cross_case_purpose_as_parameter(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(URL, params={"q": "moonface", "purpose": "deconfliction check"})
    assert response.status_code == 200


def test_cross_case_without_purpose_rejected(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(URL, params={"q": "moonface"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"purpose": "missing"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "a1 OR"}, "q"),
        ({"q": "foo:bar"}, "q"),
        ({"q": "cash", "types": "memo"}, "types"),
        ({"q": "cash", "date_from": "soon"}, "date_from"),
        ({"q": "cash", "page_size": 500}, "query.page_size"),
        ({"q": "cash", "sort": "random"}, "query.sort"),
        ({"q": ""}, "query.q"),
    ],
)
def test_bad_parameter_named(
    okafor: TestClient, scenario: Scenario, params: dict[str, object], field: str
) -> None:
    response = okafor.get(URL, params={"case": NIGHT, **params})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == [field]


def test_syntax_error_names_position(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(URL, params={"q": 'cash "wire', "case": NIGHT})
    assert "position 6" in response.json()["error"]["fields"]["q"]


def test_anonymous_rejected(anonymous: TestClient, scenario: Scenario) -> None:
    assert anonymous.get(URL, params={"q": "moonface", "case": NIGHT}).status_code == 401


# -- need to know -------------------------------------------------------------------------------


def test_case_not_on_is_not_found(okafor: TestClient, scenario: Scenario) -> None:
    response = okafor.get(URL, params={"q": "moonface", "case": HARBOUR})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == f"case {HARBOUR} not found"


def test_hidden_case_same_as_missing_case(okafor: TestClient, scenario: Scenario) -> None:
    hidden = okafor.get(URL, params={"q": "moonface", "case": HARBOUR}).json()
    missing = okafor.get(URL, params={"q": "moonface", "case": "2026-9999"}).json()
    assert hidden["error"]["code"] == missing["error"]["code"]


def test_cross_case_finds_nothing_from_case_not_on(rivera: TestClient, scenario: Scenario) -> None:
    body = rivera.get(
        URL, params={"q": "moonface OR ledger OR informant", "page_size": 100}, headers=PURPOSE
    ).json()
    assert {result["case"] for result in body["results"]} == {HARBOUR}
    assert body["total"] == 2


def test_case_above_clearance_not_found(client_for: ClientFactory, scenario: Scenario) -> None:
    hale = client_for("hale")
    assert hale.get(URL, params={"q": "moonface", "case": SILENT}).status_code == 404
    body = hale.get(URL, params={"q": "moonface OR informant", "page_size": 100}, headers=PURPOSE).json()
    assert SILENT not in {result["case"] for result in body["results"]}


def test_hidden_case_search_audited_as_denied(
    okafor: TestClient, scenario: Scenario, factory: sessionmaker[Session]
) -> None:
    okafor.get(URL, params={"q": "moonface", "case": HARBOUR})
    with transaction(factory) as session:
        denied = session.execute(
            select(AuditRecord).where(
                AuditRecord.action == "access.denied", AuditRecord.object_id == scenario.harbour.id
            )
        ).scalar_one()
    assert denied.detail["attempted"] == "search.query"

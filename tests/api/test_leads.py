"""The leads API: internal leads, the triage queue, assignment, status and cases from leads."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.blobs.keys import ensure_master_key
from casetrail.core.settings import Settings
from tests.api.conftest import ClientFactory
from tests.factories import make_case, make_user

LEAD = {
    "channel": "partner_agency",
    "title": "Partner report on a warehouse",
    "body": "The partner agency reports night deliveries at the Dock Road warehouse.",
    "source_description": "Europol liaison officer",
    "subject_names": ["John Smith"],
    "grading": {"scale": "admiralty", "source": "B", "information": "2"},
}


@pytest.fixture
def staff(factory: sessionmaker[Session], settings: Settings) -> None:
    ensure_master_key(settings)
    make_user(factory, "clerk", role="intake", unit="Unit A")
    make_user(factory, "rivera", role="investigator", unit="Unit A")
    make_user(factory, "okafor", role="investigator", unit="Unit B")


@pytest.mark.usefixtures("staff")
def test_internal_lead_reaches_queue(client_for: ClientFactory) -> None:
    rivera = client_for("rivera")
    created = rivera.post("/api/v1/leads", json=LEAD)
    assert created.status_code == 201, created.text
    reference = created.json()["reference"]
    queue = client_for("clerk").get("/api/v1/leads", params={"sort": "due"})
    assert queue.status_code == 200
    assert [item["lead"]["reference"] for item in queue.json()["items"]] == [reference]
    assert queue.json()["items"][0]["overdue"] is False


@pytest.mark.usefixtures("staff")
def test_lead_hidden_from_other_unit(client_for: ClientFactory) -> None:
    reference = client_for("rivera").post("/api/v1/leads", json=LEAD).json()["reference"]
    response = client_for("okafor").get(f"/api/v1/leads/{reference}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.usefixtures("staff")
def test_invalid_grading_is_rejected(client_for: ClientFactory) -> None:
    body = {**LEAD, "grading": {"scale": "5x5x5", "source": "F", "information": "2"}}
    response = client_for("rivera").post("/api/v1/leads", json=body)
    assert response.status_code == 422
    assert "source_grade" in response.json()["error"]["fields"]


@pytest.mark.usefixtures("staff")
def test_assign_status_and_open_case(client_for: ClientFactory) -> None:
    reference = client_for("clerk").post("/api/v1/leads", json=LEAD).json()["reference"]
    clerk = client_for("clerk")
    assigned = clerk.post(f"/api/v1/leads/{reference}/assign", json={"username": "rivera"})
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["status"] == "assigned"

    rivera = client_for("rivera")
    opened = rivera.post(f"/api/v1/leads/{reference}/case", json={"title": "Dock Road warehouse"})
    assert opened.status_code == 201, opened.text
    number = opened.json()["case_number"]
    entities = rivera.get(f"/api/v1/cases/{number}/entities")
    assert entities.status_code == 200
    detail = rivera.get(f"/api/v1/leads/{reference}").json()
    assert detail["case_number"] == number
    assert detail["lead"]["status"] == "actioned"


@pytest.mark.usefixtures("staff")
def test_close_without_reason_code_is_rejected(client_for: ClientFactory) -> None:
    reference = client_for("clerk").post("/api/v1/leads", json=LEAD).json()["reference"]
    response = client_for("clerk").post(
        f"/api/v1/leads/{reference}/status", json={"status": "closed", "reason": "seen before"}
    )
    assert response.status_code == 422
    assert "close_reason" in response.json()["error"]["fields"]


@pytest.mark.usefixtures("staff")
def test_link_to_hidden_case_reads_as_not_found(
    client_for: ClientFactory, factory: sessionmaker[Session]
) -> None:
    make_case(factory, "okafor", title="Other unit's case", number="2026-0911")
    reference = client_for("clerk").post("/api/v1/leads", json=LEAD).json()["reference"]
    client_for("clerk").post(f"/api/v1/leads/{reference}/assign", json={"username": "rivera"})
    response = client_for("rivera").post(f"/api/v1/leads/{reference}/link", json={"case_number": "2026-0911"})
    assert response.status_code == 404


@pytest.mark.usefixtures("staff")
def test_update_needs_current_version(client_for: ClientFactory) -> None:
    created = client_for("clerk").post("/api/v1/leads", json=LEAD).json()
    clerk = client_for("clerk")
    changed = clerk.patch(
        f"/api/v1/leads/{created['reference']}",
        json={"expected_version": created["version"], "priority": "urgent", "category": "Drugs"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["category"] == "drugs"
    stale = clerk.patch(
        f"/api/v1/leads/{created['reference']}",
        json={"expected_version": created["version"], "priority": "low"},
    )
    assert stale.status_code == 409

"""Cross-referencing through the API: deconfliction without leaks, the board, decisions."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.db.engine import transaction
from casetrail.xref.follower import follow_until_caught_up
from casetrail.xref.models import Candidate
from tests.api.conftest import ClientFactory
from tests.xref.scenario import (
    SHARED_PHONE,
    ZAKHAROV_ID,
    add_zakharov,
    build_scenario,
    load_zala,
    secrets_of_okafor,
    secrets_of_rivera,
)

NOTICES = "/api/v1/xref/notices"


def _assert_absent(body: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in body, secret


def _actions(factory: sessionmaker[Session], action: str) -> list[AuditRecord]:
    with transaction(factory) as session:
        return list(session.execute(select(AuditRecord).where(AuditRecord.action == action)).scalars())


def test_notices_name_other_lead_only(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    scenario = build_scenario(factory)
    rivera = client_for("rivera")
    response = rivera.get(NOTICES)
    assert response.status_code == 200
    notices: list[dict[str, Any]] = response.json()
    assert sorted(notice["overlap"] for notice in notices) == [
        "same passport number",
        "same person",
        "same phone",
    ]
    phone = next(notice for notice in notices if notice["kind"] == "phone")
    assert phone["message"] == (
        f"The phone {SHARED_PHONE} in your case also appears in a case led by Sgt. Okafor, "
        "Narcotics Unit 3: contact them before acting."
    )
    assert phone["case_number"] == scenario.rivera_case.number
    _assert_absent(response.text, secrets_of_okafor(scenario))


def test_other_lead_gets_own_notices(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    scenario = build_scenario(factory)
    okafor = client_for("okafor")
    response = okafor.get(NOTICES)
    assert response.status_code == 200
    assert len(response.json()) == 3
    assert "Agent Rivera, Unit A" in response.text
    _assert_absent(response.text, secrets_of_rivera(scenario))


def test_candidates_hide_invisible_side(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    scenario = build_scenario(factory)
    rivera = client_for("rivera")
    response = rivera.get(f"/api/v1/cases/{scenario.rivera_case.number}/xref/candidates")
    assert response.status_code == 200
    assert response.json() == []
    _assert_absent(response.text, secrets_of_okafor(scenario))


def test_notice_of_other_lead_is_hidden(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    scenario = build_scenario(factory)
    okafor_notice = client_for("okafor").get(NOTICES).json()[0]["id"]
    response = client_for("rivera").get(f"{NOTICES}/{okafor_notice}")
    assert response.status_code == 404
    _assert_absent(response.text, secrets_of_okafor(scenario))


def test_notice_views_are_audited(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    build_scenario(factory)
    created = _actions(factory, "xref.notice_create")
    rivera = client_for("rivera")
    notice_id = rivera.get(NOTICES).json()[0]["id"]
    assert rivera.get(f"{NOTICES}/{notice_id}").status_code == 200
    reads = [record.object_id for record in _actions(factory, "xref.notice_read")]
    assert len(created) == 6
    assert reads.count(notice_id) == 2


def test_acknowledge_and_close_notice(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    build_scenario(factory)
    rivera = client_for("rivera")
    notice_id = rivera.get(NOTICES).json()[0]["id"]
    acknowledged = rivera.post(f"{NOTICES}/{notice_id}/acknowledge")
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged"
    closed = rivera.post(f"{NOTICES}/{notice_id}/close", json={"note": "Spoke with Sgt. Okafor; we lead."})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["close_note"] == "Spoke with Sgt. Okafor; we lead."
    again = rivera.post(f"{NOTICES}/{notice_id}/close", json={"note": "twice"})
    assert again.status_code == 409
    assert len(_actions(factory, "xref.notice_close")) == 1


def test_supervisor_board_shows_own_unit(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    scenario = build_scenario(factory)
    response = client_for("sup").get("/api/v1/xref/board")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 3
    assert {row["notice"]["case_number"] for row in rows} == {scenario.rivera_case.number}
    assert {row["notice"]["other_lead_name"] for row in rows} == {"Sgt. Okafor"}
    _assert_absent(response.text, secrets_of_okafor(scenario))
    assert len(_actions(factory, "xref.board_read")) == 3


def test_board_is_for_supervisors(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    build_scenario(factory)
    response = client_for("rivera").get("/api/v1/xref/board")
    assert response.status_code == 403


def test_watchlist_decision_reversible(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    scenario = build_scenario(factory)
    load_zala(factory)
    entity_id = add_zakharov(factory, scenario.rivera, scenario.rivera_case.number)
    follow_until_caught_up(factory)
    rivera = client_for("rivera")
    listed = rivera.get(f"/api/v1/cases/{scenario.rivera_case.number}/xref/candidates").json()
    match = next(item for item in listed if item["right"]["entity_id"] == ZAKHAROV_ID)
    assert match["left"]["entity_id"] == entity_id
    assert match["right"]["watchlist"] == "zala"
    assert match["score"] >= 0.7

    decided = rivera.post(
        f"/api/v1/xref/candidates/{match['id']}/decisions",
        json={"verdict": "confirmed", "reason": "same birth date and name"},
    )
    assert decided.status_code == 201
    links = rivera.get(f"/api/v1/cases/{scenario.rivera_case.number}/xref/links").json()
    assert [link["right_entity_id"] for link in links] == [ZAKHAROV_ID]
    twice = rivera.post(
        f"/api/v1/xref/candidates/{match['id']}/decisions", json={"verdict": "rejected", "reason": "no"}
    )
    assert twice.status_code == 409

    retracted = rivera.post(
        f"/api/v1/xref/decisions/{decided.json()['id']}/retract", json={"reason": "wrong person"}
    )
    assert retracted.status_code == 200
    assert retracted.json()["retracted_by"] == "rivera"
    after = rivera.get(f"/api/v1/xref/candidates/{match['id']}").json()
    assert after["status"] == "open"
    assert len(after["decisions"]) == 1
    assert rivera.get(f"/api/v1/cases/{scenario.rivera_case.number}/xref/links").json() == []
    assert len(_actions(factory, "xref.decision")) == 1
    assert len(_actions(factory, "xref.decision_retract")) == 1


def test_hidden_candidate_cannot_be_decided(
    factory: sessionmaker[Session], client_for: ClientFactory
) -> None:
    scenario = build_scenario(factory)
    load_zala(factory)
    add_zakharov(factory, scenario.rivera, scenario.rivera_case.number)
    follow_until_caught_up(factory)
    rivera = client_for("rivera")
    match = rivera.get(f"/api/v1/cases/{scenario.rivera_case.number}/xref/candidates").json()[0]
    okafor = client_for("okafor")
    response = okafor.post(
        f"/api/v1/xref/candidates/{match['id']}/decisions", json={"verdict": "confirmed", "reason": "x"}
    )
    assert response.status_code == 404
    _assert_absent(response.text, secrets_of_rivera(scenario))


def _only_candidate(factory: sessionmaker[Session]) -> str:
    with transaction(factory) as session:
        return str(session.execute(select(Candidate.id)).scalar_one())


def _denials(factory: sessionmaker[Session], attempted: str) -> list[AuditRecord]:
    return [entry for entry in _actions(factory, "access.denied") if entry.detail["attempted"] == attempted]


def test_hidden_candidate_reads_as_missing(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    build_scenario(factory)
    hidden_id = _only_candidate(factory)
    missing_id = str(uuid.UUID(int=0))
    rivera = client_for("rivera")
    hidden = rivera.get(f"/api/v1/xref/candidates/{hidden_id}")
    missing = rivera.get(f"/api/v1/xref/candidates/{missing_id}")
    assert hidden.status_code == 404
    assert missing.status_code == 404
    assert _error_shape(hidden.text, hidden_id) == _error_shape(missing.text, missing_id)


def _error_shape(body: str, object_id: str) -> dict[str, Any]:
    """Return the error body with the object id and the per-request id replaced."""
    error: dict[str, Any] = json.loads(body.replace(object_id, "ID"))["error"]
    error["request_id"] = "REQUEST"
    return error


def test_hidden_candidate_read_is_audited(factory: sessionmaker[Session], client_for: ClientFactory) -> None:
    build_scenario(factory)
    hidden_id = _only_candidate(factory)
    client_for("rivera").get(f"/api/v1/xref/candidates/{hidden_id}")
    denials = _denials(factory, "xref.candidate_read")
    assert len(denials) == 1
    assert denials[0].object_id == hidden_id
    assert denials[0].object_type == "xref_candidate"
    assert denials[0].outcome == "denied"

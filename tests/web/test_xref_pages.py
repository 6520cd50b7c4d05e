"""Cross-referencing in the web UI: notices and the board without leaks, decisions by form."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.auth.context import operator_context
from casetrail.db.engine import transaction
from casetrail.xref.batch import run_batch
from casetrail.xref.follower import follow_until_caught_up
from casetrail.xref.models import Candidate
from tests.web.conftest import BrowserFactory
from tests.web.html import post_form
from tests.xref.scenario import (
    ZAKHAROV_ID,
    add_entity,
    add_zakharov,
    build_scenario,
    load_zala,
    secrets_of_okafor,
    secrets_of_rivera,
)


def _assert_absent(body: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in body, secret


def test_notices_page_names_other_lead(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    scenario = build_scenario(factory)
    page = browser_for("rivera").get("/xref/notices")
    assert page.status_code == 200
    assert "also appears in a case led by Sgt. Okafor, Narcotics Unit 3" in page.text
    assert "same passport number" in page.text
    _assert_absent(page.text, secrets_of_okafor(scenario))


def test_other_lead_page_has_no_rivera_data(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    scenario = build_scenario(factory)
    page = browser_for("okafor").get("/xref/notices")
    assert "Agent Rivera, Unit A" in page.text
    _assert_absent(page.text, secrets_of_rivera(scenario))


def test_header_badge_counts_open_notices(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    build_scenario(factory)
    page = browser_for("rivera").get("/cases")
    badge = re.search(r'class="badge xref-badge"[^>]*>(\d+)<', page.text)
    assert badge is not None
    assert badge.group(1) == "3"


def test_case_matches_page_hides_other_case(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    scenario = build_scenario(factory)
    page = browser_for("rivera").get(f"/cases/{scenario.rivera_case.number}/xref")
    assert page.status_code == 200
    assert "No candidate matches you may see." in page.text
    _assert_absent(page.text, secrets_of_okafor(scenario))


def test_close_notice_by_form(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    build_scenario(factory)
    browser = browser_for("rivera")
    page = browser.get("/xref/notices")
    notice_id = re.search(r"/xref/notices/([0-9a-f-]+)/close", page.text)
    assert notice_id is not None
    closed = post_form(
        browser, "/xref/notices", f"/xref/notices/{notice_id.group(1)}/close", {"note": "Met Okafor."}
    )
    assert closed.status_code == 303
    after = browser.get("/xref/notices?status=closed")
    assert "Met Okafor." in after.text


def test_board_for_supervisor(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    scenario = build_scenario(factory)
    page = browser_for("sup").get("/xref/board")
    assert page.status_code == 200
    assert scenario.rivera_case.number in page.text
    assert "Sgt. Okafor, Narcotics Unit 3" in page.text
    _assert_absent(page.text, secrets_of_okafor(scenario))


def test_board_refused_to_investigator(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    build_scenario(factory)
    page = browser_for("rivera").get("/xref/board")
    assert page.status_code == 403


def test_confirm_and_retract_by_form(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    scenario = build_scenario(factory)
    load_zala(factory)
    add_zakharov(factory, scenario.rivera, scenario.rivera_case.number)
    follow_until_caught_up(factory)
    browser = browser_for("rivera")
    url = f"/cases/{scenario.rivera_case.number}/xref"
    page = browser.get(url)
    assert "watch-list zala" in page.text
    candidate = re.search(r"/xref/candidates/([0-9a-f-]+)/decisions", page.text)
    assert candidate is not None
    confirmed = post_form(
        browser,
        url,
        f"/xref/candidates/{candidate.group(1)}/decisions",
        {"verdict": "confirmed", "reason": "same birth date", "back": url},
    )
    assert confirmed.status_code == 303
    after = browser.get(url)
    assert f"same as <code>{ZAKHAROV_ID}</code>" in after.text
    decision = re.search(r"/xref/decisions/([0-9a-f-]+)/retract", after.text)
    assert decision is not None
    retracted = post_form(
        browser, url, f"/xref/decisions/{decision.group(1)}/retract", {"reason": "twin", "back": url}
    )
    assert retracted.status_code == 303
    final = browser.get(url)
    assert "retracted by rivera" in final.text
    assert "No links." in final.text


def test_batch_pairs_shown_with_levels(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    scenario = build_scenario(factory)
    for name in ("Maria Jones", "Marie Jones"):
        add_entity(
            factory,
            scenario.rivera,
            scenario.rivera_case.number,
            "Person",
            {"name": [name], "birthDate": ["1990-02-03"], "phone": ["+12025550155"]},
        )
    with transaction(factory) as session:
        report = run_batch(session, operator_context(), schema="Person", threshold=0.0)
    assert report.pairs >= 1
    page = browser_for("rivera").get(f"/cases/{scenario.rivera_case.number}/xref")
    assert page.status_code == 200
    assert 'title="splink"' in page.text
    assert "match_weight" in page.text
    _assert_absent(page.text, secrets_of_okafor(scenario))


def _only_candidate(factory: sessionmaker[Session]) -> str:
    with transaction(factory) as session:
        return str(session.execute(select(Candidate.id)).scalar_one())


def test_hidden_candidate_page_reads_as_missing(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    scenario = build_scenario(factory)
    hidden_id = _only_candidate(factory)
    missing_id = str(uuid.UUID(int=0))
    rivera = browser_for("rivera")
    hidden = rivera.get(f"/xref/candidates/{hidden_id}")
    missing = rivera.get(f"/xref/candidates/{missing_id}")
    assert hidden.status_code == 404
    assert missing.status_code == 404
    assert _without_tokens(hidden.text).replace(hidden_id, "ID") == _without_tokens(missing.text).replace(
        missing_id, "ID"
    )
    _assert_absent(hidden.text, secrets_of_okafor(scenario))
    with transaction(factory) as session:
        denial = session.execute(
            select(AuditRecord).where(
                AuditRecord.action == "access.denied", AuditRecord.object_id == hidden_id
            )
        ).scalar_one()
    assert denial.detail["attempted"] == "xref.candidate_read"


def test_candidate_page_shows_both_sides(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    scenario = build_scenario(factory)
    load_zala(factory)
    add_zakharov(factory, scenario.rivera, scenario.rivera_case.number)
    follow_until_caught_up(factory)
    with transaction(factory) as session:
        candidate_id = session.execute(
            select(Candidate.id).where(Candidate.right_entity_id == ZAKHAROV_ID)
        ).scalar_one()
    page = browser_for("rivera").get(f"/xref/candidates/{candidate_id}")
    assert page.status_code == 200, page.text
    assert "Alexander Zakharov" in page.text
    assert "watch-list zala" in page.text
    assert f'value="/xref/candidates/{candidate_id}"' in page.text
    _assert_absent(page.text, secrets_of_okafor(scenario))


def _without_tokens(html: str) -> str:
    """Drop the per-request CSRF token and request id, which differ between any two pages."""
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    html = re.sub(r'<meta name="csrf-token" content="[^"]*"', "", html)
    return re.sub(r"[0-9a-f]{32}|request [0-9a-z-]{8,}", "", html)

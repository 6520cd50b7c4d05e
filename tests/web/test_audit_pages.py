"""The audit pages: auditors read the latest records and verify the chain, and others may not."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit import service as audit_service
from casetrail.db.engine import transaction
from tests.factories import make_case, make_user
from tests.web.conftest import BrowserFactory


def test_auditor_sees_latest_records_first(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    make_user(factory, "alice")
    make_user(factory, "audrey", role="auditor")
    make_case(factory, "alice", number="2026-0142")
    client = browser_for("audrey")

    page = client.get("/audit")

    assert page.status_code == 200
    assert page.text.index("auth.login") < page.text.index("case.create")
    assert "Verify the chain" in page.text


def test_audit_filter_by_action(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    make_user(factory, "audrey", role="auditor")
    make_case(factory, "alice", number="2026-0142")
    client = browser_for("audrey")

    page = client.get("/audit?action=case.create")

    assert "<strong>case.create</strong>" in page.text
    assert "<strong>auth.login</strong>" not in page.text


def test_audit_reading_is_recorded(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "audrey", role="auditor")
    client = browser_for("audrey")

    client.get("/audit")

    with transaction(factory) as session:
        reads = audit_service.list_records(session, action="audit.read")
    assert len(reads) == 1
    assert reads[0].actor_name == "audrey"


def test_verify_shows_intact_chain(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    make_user(factory, "audrey", role="auditor")
    make_case(factory, "alice", number="2026-0142")
    client = browser_for("audrey")

    page = client.get("/audit/verify")

    assert page.status_code == 200
    assert "The chain is intact" in page.text
    assert "Head hash" in page.text


def test_investigator_cannot_read_audit(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    client = browser_for("alice")

    page = client.get("/audit")
    verify = client.get("/audit/verify")

    assert page.status_code == 403
    assert "only auditors read the audit trail" in page.text.lower()
    assert "Back to the form" not in page.text
    assert verify.status_code == 403


def test_unknown_audit_user_is_named(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "audrey", role="auditor")
    client = browser_for("audrey")

    page = client.get("/audit?actor=nobody")

    assert page.status_code == 422
    assert "User &#39;nobody&#39; not found." in page.text

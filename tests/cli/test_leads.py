"""`casetrail leads`: the queue, one lead, assignment and a case from a lead, as a token's user."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import anonymous_context
from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.leads import intake
from casetrail.leads.fields import LeadContact, LeadFacts
from tests.cli.runner import Cli

PASSWORD = "correct horse battery staple"


def _add_user(cli: Cli, username: str, role: str, unit: str) -> str:
    result = cli("user", "add", username, "--role", role, "--unit", unit, "--password-stdin", stdin=PASSWORD)
    assert result.exit_code == 0, result.stderr
    return cli.token_for(username)


@pytest.fixture
def reference(factory: sessionmaker[Session], settings: Settings) -> str:
    ensure_master_key(settings)
    with transaction(factory) as session:
        receipt = intake.submit_tip(
            session,
            anonymous_context(None, None),
            settings,
            blob_store(settings),
            facts=LeadFacts(body="A blue van parks at 14 Elm Street every night.", vehicle_plates=["KX 123"]),
            contact=LeadContact(),
            attachments=[],
        )
    return receipt.lead.reference


def test_queue_assign_and_open_case(cli: Cli, reference: str) -> None:
    clerk = _add_user(cli, "clerk", "intake", "Unit A")
    rivera = _add_user(cli, "rivera", "investigator", "Unit A")

    listed = cli("leads", "list", "--output", "json", token=clerk)
    assert listed.exit_code == 0, listed.stderr
    assert [item["reference"] for item in json.loads(listed.stdout)["items"]] == [reference]

    assigned = cli("leads", "assign", reference, "--user", "rivera", token=clerk)
    assert assigned.exit_code == 0, assigned.stderr
    assert "assigned" in assigned.stdout

    linked = cli("leads", "link", reference, "--new-case", "Elm Street", "--output", "json", token=rivera)
    assert linked.exit_code == 0, linked.stderr
    assert json.loads(linked.stdout)["entities"] == 2

    shown = cli("leads", "show", reference, token=rivera)
    assert shown.exit_code == 0, shown.stderr
    assert "actioned" in shown.stdout


def test_hidden_lead_reads_as_not_found(cli: Cli, reference: str) -> None:
    okafor = _add_user(cli, "okafor", "investigator", "Unit B")
    shown = cli("leads", "show", reference, token=okafor)
    assert shown.exit_code != 0
    assert "not found" in shown.stderr

"""`casetrail case`, `note` and `entity`: case work as the user of CASETRAIL_TOKEN, need-to-know included."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.auth import service as auth_service
from casetrail.cases.models import Case, Note
from casetrail.db.engine import transaction
from tests.cli.runner import Cli
from tests.conftest import DATA_DIR

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class TwoCases:
    alice_token: str
    bob_token: str
    alice_case: str = "A-2026-1"
    bob_case: str = "B-2026-1"


def _add_user(cli: Cli, username: str, unit: str) -> None:
    result = cli(
        "user", "add", username, "--role", "investigator", "--unit", unit, "--password-stdin", stdin=PASSWORD
    )
    assert result.exit_code == 0, result.stderr


def _create_case(cli: Cli, number: str, lead: str) -> None:
    result = cli("case", "create", "--number", number, "--title", f"Case of {lead}", "--lead", lead)
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def two_cases(cli: Cli) -> TwoCases:
    """Alice (Unit A) and Bob (Unit B), each leading one case that the other may not see."""
    _add_user(cli, "alice", "Unit A")
    _add_user(cli, "bob", "Unit B")
    cases = TwoCases(alice_token=cli.token_for("alice"), bob_token=cli.token_for("bob"))
    _create_case(cli, cases.alice_case, "alice")
    _create_case(cli, cases.bob_case, "bob")
    return cases


def _case_id(factory: sessionmaker[Session], number: str) -> str:
    with transaction(factory) as session:
        return session.execute(select(Case.id).where(Case.number == number)).scalar_one()


def test_case_create_prints_number(cli: Cli, factory: sessionmaker[Session]) -> None:
    _add_user(cli, "alice", "Unit A")

    result = cli(
        "case",
        "create",
        "--number",
        "2026-0142",
        "--title",
        "House on Elm Street",
        "--lead",
        "alice",
        "--summary",
        "Night-time visitors",
        "--offence",
        "drug trafficking",
        "--sensitivity",
        "confidential",
        "-o",
        "json",
    )

    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["number"] == "2026-0142"
    assert data["lead"] == "alice"
    assert data["unit"] == "Unit A"
    with transaction(factory) as session:
        case = session.execute(select(Case).where(Case.number == "2026-0142")).scalar_one()
        assert case.title == "House on Elm Street"
        assert case.sensitivity == "confidential"
        assert case.offence_category == "drug trafficking"


def test_case_create_unknown_lead_fails(cli: Cli) -> None:
    result = cli("case", "create", "--number", "2026-0142", "--title", "T", "--lead", "nobody")

    assert result.exit_code == 1
    assert "error: lead 'nobody' not found" in result.stderr


def test_case_create_duplicate_number_fails(cli: Cli, two_cases: TwoCases) -> None:
    result = cli("case", "create", "--number", two_cases.alice_case, "--title", "Again", "--lead", "alice")

    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: case number {two_cases.alice_case} is already in use"


def test_case_create_without_number_is_usage_error(cli: Cli) -> None:
    result = cli("case", "create", "--title", "T", "--lead", "alice")

    assert result.exit_code == 2


def test_lead_shows_own_case(cli: Cli, two_cases: TwoCases) -> None:
    result = cli("case", "show", two_cases.alice_case, "-o", "json", token=two_cases.alice_token)

    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["number"] == two_cases.alice_case
    assert data["members"] == [{"username": "alice", "role": "lead"}]
    assert "manage" in data["your_permissions"]


def test_hidden_case_reads_as_not_found(cli: Cli, two_cases: TwoCases) -> None:
    result = cli("case", "show", two_cases.alice_case, token=two_cases.bob_token)

    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: case {two_cases.alice_case} not found"
    assert result.stdout == ""


def test_hidden_case_looks_like_missing_case(cli: Cli, two_cases: TwoCases) -> None:
    hidden = cli("case", "show", two_cases.alice_case, token=two_cases.bob_token)
    missing = cli("case", "show", "NO-SUCH-1", token=two_cases.bob_token)

    assert hidden.exit_code == missing.exit_code
    assert hidden.stderr.replace(two_cases.alice_case, "N") == missing.stderr.replace("NO-SUCH-1", "N")


def test_case_list_leaves_out_hidden_case(cli: Cli, two_cases: TwoCases) -> None:
    result = cli("case", "list", "-o", "json", token=two_cases.bob_token)

    assert result.exit_code == 0, result.stderr
    numbers = [item["number"] for item in json.loads(result.stdout)["items"]]
    assert numbers == [two_cases.bob_case]


def test_case_list_text_leaves_out_hidden_case(cli: Cli, two_cases: TwoCases) -> None:
    result = cli("case", "list", token=two_cases.bob_token)

    assert two_cases.bob_case in result.stdout
    assert two_cases.alice_case not in result.stdout


def test_hidden_case_denial_is_audited(cli: Cli, two_cases: TwoCases, factory: sessionmaker[Session]) -> None:
    cli("case", "show", two_cases.alice_case, token=two_cases.bob_token)

    with transaction(factory) as session:
        bob = auth_service.get_user_by_name(session, "bob")
        denials = list(
            session.execute(
                select(AuditRecord).where(
                    AuditRecord.action == "access.denied", AuditRecord.actor_id == bob.id
                )
            ).scalars()
        )
    assert len(denials) == 1
    assert denials[0].object_id == _case_id(factory, two_cases.alice_case)
    assert denials[0].outcome == "denied"
    assert denials[0].detail["attempted"] == "case.read"


def test_hidden_case_read_leaves_no_read_record(
    cli: Cli, two_cases: TwoCases, factory: sessionmaker[Session]
) -> None:
    cli("case", "show", two_cases.alice_case, token=two_cases.bob_token)

    with transaction(factory) as session:
        reads = session.execute(
            select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "case.read")
        ).scalar_one()
    assert reads == 0


def test_note_add_to_own_case(cli: Cli, two_cases: TwoCases, factory: sessionmaker[Session]) -> None:
    result = cli(
        "note", "add", "--case", two_cases.alice_case, "Met the witness", token=two_cases.alice_token
    )

    assert result.exit_code == 0, result.stderr
    with transaction(factory) as session:
        note = session.execute(select(Note)).scalar_one()
    assert note.body == "Met the witness"
    assert note.author_name == "alice"


def test_note_add_to_hidden_case_fails(cli: Cli, two_cases: TwoCases, factory: sessionmaker[Session]) -> None:
    result = cli("note", "add", "--case", two_cases.alice_case, "Sneaky", token=two_cases.bob_token)

    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: case {two_cases.alice_case} not found"
    with transaction(factory) as session:
        assert session.execute(select(Note)).first() is None


def test_empty_note_names_field(cli: Cli, two_cases: TwoCases) -> None:
    result = cli("note", "add", "--case", two_cases.alice_case, "  ", token=two_cases.alice_token)

    assert result.exit_code == 1
    assert "body: missing" in result.stderr


def test_entity_list_and_show(cli: Cli, two_cases: TwoCases) -> None:
    imported = cli(
        "import", "ftm", "--case", two_cases.alice_case, str(DATA_DIR / "ftm_opensanctions_t1_mixed.ftm.json")
    )
    assert imported.exit_code == 0, imported.stderr

    listed = cli(
        "entity",
        "list",
        "--case",
        two_cases.alice_case,
        "--schema",
        "Person",
        "-o",
        "json",
        token=two_cases.alice_token,
    )
    assert listed.exit_code == 0, listed.stderr
    people = json.loads(listed.stdout)
    assert people["total"] == 4

    shown = cli(
        "entity",
        "show",
        "--case",
        two_cases.alice_case,
        people["items"][0]["id"],
        "-o",
        "json",
        token=two_cases.alice_token,
    )
    assert shown.exit_code == 0, shown.stderr
    entity = json.loads(shown.stdout)
    assert entity["schema"] == "Person"
    assert entity["properties"]["name"]
    assert {stmt["source_type"] for stmt in entity["statements"]} == {"import"}


def test_entity_list_in_hidden_case_fails(cli: Cli, two_cases: TwoCases) -> None:
    result = cli("entity", "list", "--case", two_cases.alice_case, token=two_cases.bob_token)

    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: case {two_cases.alice_case} not found"


def test_entity_show_unknown_id_fails(cli: Cli, two_cases: TwoCases) -> None:
    result = cli("entity", "show", "--case", two_cases.alice_case, "NK-missing", token=two_cases.alice_token)

    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: entity NK-missing not found in case {two_cases.alice_case}"


def test_case_command_without_token_says_how_to_get_one(cli: Cli, two_cases: TwoCases) -> None:
    result = cli("case", "list")

    assert result.exit_code == 1
    assert "CASETRAIL_TOKEN" in result.stderr
    assert "casetrail user token" in result.stderr


def test_case_command_with_invalid_token_fails(cli: Cli, two_cases: TwoCases) -> None:
    result = cli("case", "show", two_cases.bob_case, token="ctk_not-a-real-token")

    assert result.exit_code == 1
    assert "is invalid, expired or revoked" in result.stderr
    assert "casetrail user token" in result.stderr

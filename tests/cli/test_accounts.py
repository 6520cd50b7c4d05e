"""`casetrail user` and `casetrail unit`: accounts, passwords, tokens and MFA, as the local operator."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.auth import service as auth_service
from casetrail.auth.models import Unit, User
from casetrail.auth.passwords import verify_password
from casetrail.db.engine import transaction
from tests.cli.runner import Cli

PASSWORD = "correct horse battery staple"


def _user(factory: sessionmaker[Session], username: str) -> User:
    with transaction(factory) as session:
        return auth_service.get_user_by_name(session, username)


def test_user_add_reads_password_from_stdin(cli: Cli, factory: sessionmaker[Session]) -> None:
    result = cli(
        "user",
        "add",
        "alice",
        "--role",
        "investigator",
        "--unit",
        "Unit A",
        "--display-name",
        "Alice A",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "created user alice (investigator)"
    user = _user(factory, "alice")
    assert verify_password(user.password_hash, PASSWORD)
    assert user.role == "investigator"
    assert user.display_name == "Alice A"
    assert user.clearance == "confidential"


def test_user_add_puts_user_in_unit(cli: Cli, factory: sessionmaker[Session]) -> None:
    cli("user", "add", "alice", "--role", "analyst", "--unit", "Unit A", "--password-stdin", stdin=PASSWORD)

    with transaction(factory) as session:
        unit = session.execute(select(Unit).where(Unit.name == "Unit A")).scalar_one()
        user = auth_service.get_user_by_name(session, "alice")
        assert user.unit_id == unit.id


def test_password_stdin_strips_one_newline(cli: Cli, factory: sessionmaker[Session]) -> None:
    result = cli("user", "add", "alice", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n\n")

    assert result.exit_code == 0, result.stderr
    user = _user(factory, "alice")
    assert verify_password(user.password_hash, PASSWORD + "\n")
    assert not verify_password(user.password_hash, PASSWORD)


def test_password_stdin_strips_crlf(cli: Cli, factory: sessionmaker[Session]) -> None:
    cli("user", "add", "alice", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\r\n")

    assert verify_password(_user(factory, "alice").password_hash, PASSWORD)


def test_user_add_prompts_twice_without_stdin_flag(cli: Cli, factory: sessionmaker[Session]) -> None:
    result = cli("user", "add", "alice", "--role", "analyst", stdin=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.stderr
    assert PASSWORD not in result.stdout
    assert verify_password(_user(factory, "alice").password_hash, PASSWORD)


def test_user_add_short_password_fails(cli: Cli, factory: sessionmaker[Session]) -> None:
    result = cli("user", "add", "alice", "--role", "analyst", "--password-stdin", stdin="short\n")

    assert result.exit_code == 1
    assert "password is too short: use at least 12 characters" in result.stderr
    with transaction(factory) as session:
        assert session.execute(select(User)).first() is None


def test_user_add_duplicate_fails(cli: Cli) -> None:
    cli("user", "add", "alice", "--role", "analyst", "--password-stdin", stdin=PASSWORD)

    result = cli("user", "add", "alice", "--role", "analyst", "--password-stdin", stdin=PASSWORD)

    assert result.exit_code == 1
    assert result.stderr.strip() == "error: user 'alice' already exists"


def test_user_add_invalid_username_names_field(cli: Cli) -> None:
    result = cli("user", "add", "Alice Smith", "--role", "analyst", "--password-stdin", stdin=PASSWORD)

    assert result.exit_code == 1
    assert "username: invalid username 'Alice Smith'" in result.stderr


def test_user_add_unknown_role_is_usage_error(cli: Cli) -> None:
    result = cli("user", "add", "alice", "--role", "sheriff", "--password-stdin", stdin=PASSWORD)

    assert result.exit_code == 2
    assert "sheriff" in result.stderr


def test_user_add_is_audited_as_operator(cli: Cli, factory: sessionmaker[Session]) -> None:
    cli("user", "add", "alice", "--role", "analyst", "--password-stdin", stdin=PASSWORD)

    with transaction(factory) as session:
        entry = session.execute(select(AuditRecord).where(AuditRecord.action == "user.create")).scalar_one()
    assert entry.actor_name.startswith("operator:")
    assert entry.client_addr == "local"


def test_user_list_json(cli: Cli) -> None:
    cli("user", "add", "bob", "--role", "auditor", "--password-stdin", stdin=PASSWORD)
    cli("user", "add", "alice", "--role", "analyst", "--unit", "Unit A", "--password-stdin", stdin=PASSWORD)

    result = cli("user", "list", "--output", "json")

    assert result.exit_code == 0, result.stderr
    users = json.loads(result.stdout)
    assert [user["username"] for user in users] == ["alice", "bob"]
    assert users[0]["unit"] == "Unit A"
    assert users[1]["role"] == "auditor"


def test_user_list_text_has_header(cli: Cli) -> None:
    cli("user", "add", "alice", "--role", "analyst", "--password-stdin", stdin=PASSWORD)

    result = cli("user", "list")

    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["USERNAME", "DISPLAY_NAME", "ROLE"]
    assert lines[1].split()[:3] == ["alice", "alice", "analyst"]


def test_user_token_resolves_to_user(cli: Cli, factory: sessionmaker[Session]) -> None:
    cli("user", "add", "alice", "--role", "analyst", "--password-stdin", stdin=PASSWORD)

    result = cli("user", "token", "alice", "--name", "laptop", "--days", "7")

    assert result.exit_code == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("ctk_")
    assert "cannot be shown again" in result.stderr
    with transaction(factory) as session:
        user = auth_service.resolve_api_token(session, token)
        assert user is not None
        assert user.username == "alice"


def test_user_token_for_unknown_user_fails(cli: Cli) -> None:
    result = cli("user", "token", "nobody", "--name", "laptop")

    assert result.exit_code == 1
    assert result.stderr.strip() == "error: user 'nobody' not found"


def test_user_mfa_prints_otpauth_uri(cli: Cli, factory: sessionmaker[Session]) -> None:
    cli("user", "add", "alice", "--role", "analyst", "--password-stdin", stdin=PASSWORD)

    result = cli("user", "mfa", "alice")

    assert result.exit_code == 0, result.stderr
    uri = result.stdout.strip()
    assert uri.startswith("otpauth://totp/Casetrail:alice?secret=")
    assert _user(factory, "alice").totp_secret in uri


def test_user_password_replaces_password(cli: Cli, factory: sessionmaker[Session]) -> None:
    cli("user", "add", "alice", "--role", "analyst", "--password-stdin", stdin=PASSWORD)
    new_password = "a different long passphrase"

    result = cli("user", "password", "alice", "--password-stdin", stdin=new_password + "\n")

    assert result.exit_code == 0, result.stderr
    user = _user(factory, "alice")
    assert verify_password(user.password_hash, new_password)
    assert not verify_password(user.password_hash, PASSWORD)


def test_user_password_too_short_keeps_old(cli: Cli, factory: sessionmaker[Session]) -> None:
    cli("user", "add", "alice", "--role", "analyst", "--password-stdin", stdin=PASSWORD)

    result = cli("user", "password", "alice", "--password-stdin", stdin="short")

    assert result.exit_code == 1
    assert verify_password(_user(factory, "alice").password_hash, PASSWORD)


def test_unit_add_with_parent(cli: Cli, factory: sessionmaker[Session]) -> None:
    cli("unit", "add", "Investigations")

    result = cli("unit", "add", "Financial Crimes Unit", "--parent", "Investigations", "-o", "json")

    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    with transaction(factory) as session:
        parent = session.execute(select(Unit).where(Unit.name == "Investigations")).scalar_one()
        child = session.get(Unit, data["id"])
        assert child is not None
        assert child.parent_id == parent.id


def test_unit_add_unknown_parent_fails(cli: Cli) -> None:
    result = cli("unit", "add", "Financial Crimes Unit", "--parent", "Nowhere")

    assert result.exit_code == 1
    assert result.stderr.strip() == "error: unit 'Nowhere' not found"

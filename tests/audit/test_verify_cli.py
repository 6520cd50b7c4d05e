"""`casetrail audit verify` catches tampering by someone who owns the database.

The append-only triggers stop changes through a normal connection, so each tamper test first
drops them, as a database owner could, and then changes the table with plain SQL.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.cases import service as case_service
from casetrail.db.engine import transaction
from casetrail.db.ledger import LedgerHead
from tests.cli.runner import Cli
from tests.factories import context_for, make_case, make_user

EXIT_INTEGRITY_FAILED = 3


@pytest.fixture
def trail(factory: sessionmaker[Session]) -> int:
    """Write a short audit trail through the services and return its number of records."""
    alice = make_user(factory, "alice", unit="Unit A")
    make_user(factory, "bob", unit="Unit B")
    case = make_case(factory, "alice", number="2026-0001")
    for _ in range(2):
        with transaction(factory) as session:
            case_service.get_case(session, context_for(alice), case.number)
    with transaction(factory) as session:
        head = session.get(LedgerHead, 1)
        assert head is not None
        assert head.audit_seq >= 7
        return head.audit_seq


def _drop_append_only_triggers(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_record_no_update"))
            connection.execute(text("DROP TRIGGER audit_record_no_delete"))
        else:
            connection.execute(text("DROP TRIGGER audit_record_append_only ON audit_record"))


def _tamper(engine: Engine, *statements: str) -> None:
    _drop_append_only_triggers(engine)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def _record_id(factory: sessionmaker[Session], seq: int) -> str:
    with transaction(factory) as session:
        return session.execute(select(AuditRecord.id).where(AuditRecord.seq == seq)).scalar_one()


def test_intact_chain_passes(cli: Cli, trail: int, factory: sessionmaker[Session]) -> None:
    result = cli("audit", "verify")

    assert result.exit_code == 0, result.stdout
    assert f"audit chain intact: {trail} records" in result.stdout
    with transaction(factory) as session:
        head = session.get(LedgerHead, 1)
        assert head is not None
        # The verification appends its own audit record, after the hash that it printed.
        assert head.audit_seq == trail + 1
        printed = session.execute(select(AuditRecord.hash).where(AuditRecord.seq == trail)).scalar_one()
    assert f"head hash: {printed}" in result.stdout


def test_verification_is_audited(cli: Cli, trail: int, factory: sessionmaker[Session]) -> None:
    cli("audit", "verify")

    with transaction(factory) as session:
        entry = session.execute(select(AuditRecord).where(AuditRecord.action == "audit.verify")).scalar_one()
    assert entry.outcome == "success"
    assert entry.detail["records_checked"] == trail


def test_expect_head_from_earlier_run_passes(cli: Cli, trail: int) -> None:
    first = json.loads(cli("audit", "verify", "-o", "json").stdout)

    second = cli("audit", "verify", "--expect-head", first["head_hash"], "-o", "json")

    assert second.exit_code == 0, second.stdout
    assert json.loads(second.stdout)["records_checked"] == trail + 1


def test_unknown_expected_head_fails(cli: Cli, trail: int) -> None:
    result = cli("audit", "verify", "--expect-head", "f" * 64)

    assert result.exit_code == EXIT_INTEGRITY_FAILED
    assert "is not in the chain" in result.stdout


def test_changed_field_is_caught(
    cli: Cli, trail: int, engine: Engine, factory: sessionmaker[Session]
) -> None:
    record_id = _record_id(factory, 3)
    _tamper(engine, "UPDATE audit_record SET actor_name = 'someone else' WHERE seq = 3")

    result = cli("audit", "verify")

    assert result.exit_code == EXIT_INTEGRITY_FAILED
    assert f"BROKEN at record seq 3 (id {record_id})" in result.stdout
    assert "the record was changed" in result.stdout


def test_changed_detail_is_caught(cli: Cli, trail: int, engine: Engine) -> None:
    _tamper(engine, f"""UPDATE audit_record SET detail = '{{"returned": []}}' WHERE seq = {trail}""")

    result = cli("audit", "verify", "-o", "json")

    assert result.exit_code == EXIT_INTEGRITY_FAILED
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["first_bad_seq"] == trail


def test_deleted_middle_record_is_caught(
    cli: Cli, trail: int, engine: Engine, factory: sessionmaker[Session]
) -> None:
    next_id = _record_id(factory, 4)
    _tamper(engine, "DELETE FROM audit_record WHERE seq = 3")

    result = cli("audit", "verify")

    assert result.exit_code == EXIT_INTEGRITY_FAILED
    assert f"BROKEN at record seq 4 (id {next_id})" in result.stdout
    assert "expected record 3 but found 4: records were removed" in result.stdout


def test_swapped_records_are_caught(
    cli: Cli, trail: int, engine: Engine, factory: sessionmaker[Session]
) -> None:
    fourth_id = _record_id(factory, 4)
    _tamper(
        engine,
        "UPDATE audit_record SET seq = -1 WHERE seq = 3",
        "UPDATE audit_record SET seq = 3 WHERE seq = 4",
        "UPDATE audit_record SET seq = 4 WHERE seq = -1",
    )

    result = cli("audit", "verify")

    assert result.exit_code == EXIT_INTEGRITY_FAILED
    assert f"BROKEN at record seq 3 (id {fourth_id})" in result.stdout
    assert "removed or reordered" in result.stdout


def test_removed_last_record_is_caught(cli: Cli, trail: int, engine: Engine) -> None:
    _tamper(engine, f"DELETE FROM audit_record WHERE seq = {trail}")

    result = cli("audit", "verify")

    assert result.exit_code == EXIT_INTEGRITY_FAILED
    assert f"BROKEN at record seq {trail}:" in result.stdout
    assert f"chain ends at record {trail - 1}" in result.stdout
    assert "records at the end were removed" in result.stdout


def test_failed_verification_is_audited(
    cli: Cli, trail: int, engine: Engine, factory: sessionmaker[Session]
) -> None:
    _tamper(engine, "DELETE FROM audit_record WHERE seq = 3")

    cli("audit", "verify")

    with transaction(factory) as session:
        entry = session.execute(select(AuditRecord).where(AuditRecord.action == "audit.verify")).scalar_one()
    assert entry.outcome == "failure"
    assert entry.detail["first_bad_seq"] == 4


def test_trigger_rejects_update(trail: int, engine: Engine, factory: sessionmaker[Session]) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE audit_record SET actor_name = 'someone else' WHERE seq = 1"))

    with transaction(factory) as session:
        first = session.execute(select(AuditRecord).where(AuditRecord.seq == 1)).scalar_one()
    assert first.actor_name != "someone else"


def test_trigger_rejects_delete(trail: int, engine: Engine, factory: sessionmaker[Session]) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_record WHERE seq = 1"))

    with transaction(factory) as session:
        remaining = session.execute(select(AuditRecord.seq).order_by(AuditRecord.seq)).scalars().all()
    assert remaining == list(range(1, trail + 1))


def test_audit_list_filters_by_case(cli: Cli, trail: int) -> None:
    result = cli("audit", "list", "--case", "2026-0001", "-o", "json")

    assert result.exit_code == 0, result.stderr
    actions = [item["action"] for item in json.loads(result.stdout)]
    assert actions == ["case.create", "case.read", "case.read"]


def test_audit_list_filters_by_actor_and_action(cli: Cli, trail: int) -> None:
    result = cli("audit", "list", "--actor", "alice", "--action", "case.read", "-o", "json")

    records = json.loads(result.stdout)
    assert len(records) == 2
    assert {item["actor_name"] for item in records} == {"alice"}


def test_audit_list_is_audited(cli: Cli, trail: int, factory: sessionmaker[Session]) -> None:
    cli("audit", "list", "--limit", "2")

    with transaction(factory) as session:
        entry = session.execute(select(AuditRecord).where(AuditRecord.action == "audit.read")).scalar_one()
    assert entry.detail["returned"] == 2


def test_audit_list_unknown_case_fails(cli: Cli, trail: int) -> None:
    result = cli("audit", "list", "--case", "NO-SUCH-1")

    assert result.exit_code == 1
    assert result.stderr.strip() == "error: case NO-SUCH-1 not found"

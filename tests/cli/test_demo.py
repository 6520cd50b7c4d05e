"""`casetrail demo`: loads units, accounts, cases and the Zala dataset once, and nothing on later runs."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.auth.models import Unit, User
from casetrail.auth.passwords import verify_password
from casetrail.cases.models import Case, CaseMember, Note
from casetrail.db.engine import transaction
from casetrail.demo.loader import dataset_path
from casetrail.entities.models import CaseEntity, Entity, ImportBatch, Statement
from tests.cli.runner import Cli
from tests.conftest import DATA_DIR

COUNTED = (Unit, User, Case, CaseMember, Note, Entity, CaseEntity, Statement, ImportBatch, AuditRecord)


def _counts(factory: sessionmaker[Session]) -> dict[str, int]:
    with transaction(factory) as session:
        return {
            model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in COUNTED
        }


def test_demo_creates_accounts_cases_and_dataset(cli: Cli, factory: sessionmaker[Session]) -> None:
    result = cli("demo", "-o", "json")

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["units_created"] == ["Financial Crimes Unit", "Narcotics Unit 3"]
    roles = sorted(account["role"] for account in report["accounts_created"])
    assert roles == ["administrator", "analyst", "auditor", "investigator", "investigator", "supervisor"]
    assert report["cases_created"] == ["DEMO-0001", "DEMO-0002"]
    assert report["imports"][0]["entities"] == 91
    with transaction(factory) as session:
        zala = session.execute(select(Case).where(Case.number == "DEMO-0001")).scalar_one()
        other = session.execute(select(Case).where(Case.number == "DEMO-0002")).scalar_one()
        entities = session.execute(
            select(func.count()).select_from(CaseEntity).where(CaseEntity.case_id == zala.id)
        ).scalar_one()
    assert zala.title == "Zala Aero group: sanctions evasion network"
    assert zala.unit_id != other.unit_id
    assert entities == 91


def test_demo_investigators_are_in_different_units(cli: Cli, factory: sessionmaker[Session]) -> None:
    cli("demo")

    with transaction(factory) as session:
        units = session.execute(select(User.unit_id).where(User.role == "investigator")).scalars().all()
    assert len(set(units)) == 2


def test_demo_passwords_are_hashed_and_work(cli: Cli, factory: sessionmaker[Session]) -> None:
    report = json.loads(cli("demo", "-o", "json").stdout)

    with transaction(factory) as session:
        for account in report["accounts_created"]:
            user = session.execute(select(User).where(User.username == account["username"])).scalar_one()
            assert user.password_hash is not None
            assert account["password"] not in user.password_hash
            assert verify_password(user.password_hash, account["password"])


def test_demo_passwords_differ_between_accounts(cli: Cli) -> None:
    report = json.loads(cli("demo", "-o", "json").stdout)

    passwords = [account["password"] for account in report["accounts_created"]]
    assert len(set(passwords)) == len(passwords)


def test_demo_second_run_creates_nothing(cli: Cli, factory: sessionmaker[Session]) -> None:
    first = cli("demo")
    assert first.exit_code == 0, first.stderr
    before = _counts(factory)

    second = cli("demo")

    assert second.exit_code == 0, second.stderr
    assert _counts(factory) == before
    assert "the demo is already loaded; nothing was created" in second.stdout
    assert "accounts already exist: mensah, rivera, okafor, chen, lindqvist, admin" in second.stdout
    assert "casetrail user password USERNAME --password-stdin" in second.stderr


def test_demo_second_run_prints_no_passwords(cli: Cli) -> None:
    first = json.loads(cli("demo", "-o", "json").stdout)

    second = cli("demo")

    for account in first["accounts_created"]:
        assert account["password"] not in second.stdout


def test_demo_password_reset_hint_works(cli: Cli, factory: sessionmaker[Session]) -> None:
    cli("demo")

    result = cli("user", "password", "rivera", "--password-stdin", stdin="a new demo passphrase\n")

    assert result.exit_code == 0, result.stderr
    with transaction(factory) as session:
        rivera = session.execute(select(User).where(User.username == "rivera")).scalar_one()
    assert verify_password(rivera.password_hash, "a new demo passphrase")


def test_demo_lead_token_sees_zala_case_only(cli: Cli) -> None:
    cli("demo")
    token = cli.token_for("rivera")

    result = cli("case", "list", "-o", "json", token=token)

    assert [item["number"] for item in json.loads(result.stdout)["items"]] == ["DEMO-0001"]


def test_demo_dataset_is_the_published_file() -> None:
    shipped = dataset_path().read_bytes()

    assert shipped == (DATA_DIR / "ftm_opensanctions_zala_slice.ftm.json").read_bytes()

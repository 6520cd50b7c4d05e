"""`casetrail documents` and `casetrail worker`: upload, ingest, list, show and retry from the shell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.blobs.keys import ensure_master_key
from casetrail.core.settings import Settings
from tests.cli.runner import Cli
from tests.factories import make_case, make_user

DATA = Path(__file__).resolve().parent.parent / "data" / "documents"
NUMBER = "2026-0142"


@pytest.fixture
def alice_token(cli: Cli, factory: sessionmaker[Session], settings: Settings) -> str:
    ensure_master_key(settings)
    make_user(factory, "alice", unit="Unit A")
    make_user(factory, "bob", unit="Unit B")
    make_case(factory, "alice", number=NUMBER)
    return cli.token_for("alice")


def test_upload_then_worker_ingests(cli: Cli, alice_token: str) -> None:
    uploaded = cli(
        "documents",
        "upload",
        NUMBER,
        str(DATA / "pdf/testPDF.pdf"),
        str(DATA / "csv/testCSV.csv"),
        "--output",
        "json",
        token=alice_token,
    )
    assert uploaded.exit_code == 0, uploaded.stderr
    assert [item["status"] for item in json.loads(uploaded.stdout)] == ["queued", "queued"]

    worked = cli("worker", "--once")
    listed = cli("documents", "list", NUMBER, "--output", "json", token=alice_token)

    assert worked.exit_code == 0, worked.stderr
    assert "2 jobs run" in worked.stderr
    assert {item["status"] for item in json.loads(listed.stdout)["items"]} == {"ingested"}


def test_show_prints_title_and_mentions(cli: Cli, alice_token: str) -> None:
    uploaded = cli(
        "documents", "upload", NUMBER, str(DATA / "pdf/testPDF.pdf"), "--output", "json", token=alice_token
    )
    [document] = json.loads(uploaded.stdout)
    cli("worker", "--once")

    shown = cli("documents", "show", document["id"], token=alice_token)

    assert shown.exit_code == 0, shown.stderr
    assert "Apache Tika - Apache Tika" in shown.stdout
    assert "suggested" in shown.stdout


def test_retry_failed_document(cli: Cli, alice_token: str) -> None:
    uploaded = cli(
        "documents",
        "upload",
        NUMBER,
        str(DATA / "malformed/testWORD_truncated.docx"),
        "--output",
        "json",
        token=alice_token,
    )
    [document] = json.loads(uploaded.stdout)
    cli("worker", "--once")

    failed = cli("documents", "list", NUMBER, "--status", "failed", "--output", "json", token=alice_token)
    retried = cli("documents", "retry", document["id"], token=alice_token)
    again = cli("documents", "retry", document["id"], token=alice_token)

    assert [item["id"] for item in json.loads(failed.stdout)["items"]] == [document["id"]]
    assert retried.exit_code == 0, retried.stderr
    assert again.exit_code != 0
    assert "only a failed document can be retried" in again.stderr


def test_outsider_upload_is_rejected(cli: Cli, alice_token: str) -> None:
    bob_token = cli.token_for("bob")

    result = cli("documents", "upload", NUMBER, str(DATA / "csv/testCSV.csv"), token=bob_token)

    assert result.exit_code == 1
    assert f"case {NUMBER} not found" in result.stdout


def test_jobs_counts_by_kind_and_status(cli: Cli, alice_token: str) -> None:
    cli("documents", "upload", NUMBER, str(DATA / "csv/testCSV.csv"), token=alice_token)

    before = cli("jobs", "--output", "json")
    cli("worker", "--once")
    after = cli("jobs", "--output", "json")

    assert json.loads(before.stdout) == [{"kind": "documents.ingest", "status": "queued", "count": 1}]
    assert json.loads(after.stdout) == [{"kind": "documents.ingest", "status": "done", "count": 1}]

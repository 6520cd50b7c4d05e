"""`casetrail evidence ...` in-process: exit statuses, output, written files and audited denials."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner, Result

from casetrail.audit.models import AuditRecord
from casetrail.auth import service as auth_service
from casetrail.auth.context import operator_context
from casetrail.blobs.store import object_key
from casetrail.cli.errors import CasetrailGroup
from casetrail.cli.evidence import evidence_app
from casetrail.core.settings import reset_settings_cache
from casetrail.db.engine import engine_for, transaction
from tests.evidence.conftest import World

app = typer.Typer(cls=CasetrailGroup)
app.add_typer(evidence_app, name="evidence")


@app.callback()
def _root() -> None:
    """Test entry point that holds only the evidence commands."""


@dataclass
class EvidenceCli:
    world: World
    runner: CliRunner

    def __call__(self, *args: str, token: str | None = None) -> Result:
        env = {
            "CASETRAIL_DATABASE_URL": self.world.settings.database_url,
            "CASETRAIL_DATA_DIR": str(self.world.settings.data_dir),
            "CASETRAIL_TOKEN": token,
        }
        reset_settings_cache()
        try:
            return self.runner.invoke(app, ["evidence", *args], env=env, catch_exceptions=False)
        finally:
            reset_settings_cache()

    def token_for(self, username: str) -> str:
        with transaction(self.world.factory) as session:
            return auth_service.create_api_token(session, operator_context(), username, "tests")


@pytest.fixture
def cli(world: World) -> Iterator[EvidenceCli]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield EvidenceCli(world, CliRunner())
    root.handlers[:] = handlers
    root.setLevel(level)
    engine_for(world.settings.resolved_database_url).dispose()


def test_verify_passes(cli: EvidenceCli, world: World) -> None:
    item = world.new_item()
    world.upload(item.item.number, b"intact")
    result = cli("verify")
    assert result.exit_code == 0, result.stderr
    assert "1 files in 1 blobs checked: all files match" in result.stdout


def test_verify_names_bad_file(cli: EvidenceCli, world: World) -> None:
    item = world.new_item()
    stored = world.upload(item.item.number, b"will be damaged on disk")
    path = world.settings.data_dir / "blobs" / object_key(stored.sha256)
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF
    path.write_bytes(bytes(data))
    result = cli("verify", "--case", world.number)
    assert result.exit_code == 3
    assert item.item.number in result.stdout
    assert world.number in result.stdout
    assert stored.sha256 in result.stdout
    assert "1 files FAILED" in result.stdout
    assert "Checking evidence files" in result.stderr


def test_verify_all_needs_operator_or_auditor(cli: EvidenceCli, world: World) -> None:
    result = cli("verify", token=cli.token_for("alice"))
    assert result.exit_code == 1
    assert "only auditors" in result.stderr


def test_report_label_export_as_operator(cli: EvidenceCli, world: World, tmp_path: Path) -> None:
    item = world.new_item()
    world.upload(item.item.number, b"original bytes", name="notes.txt")
    report = cli("report", "--case", world.number, "-o", str(tmp_path / "report.pdf"))
    label = cli(
        "label", "--case", world.number, "--item", item.item.number, "-o", str(tmp_path / "label.pdf")
    )
    export = cli("export", "--case", world.number, "-o", str(tmp_path / "package.zip"))
    assert report.exit_code == 0, report.stderr
    assert label.exit_code == 0, label.stderr
    assert export.exit_code == 0, export.stderr
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "label.pdf").read_bytes().startswith(b"%PDF-")
    with zipfile.ZipFile(tmp_path / "package.zip") as archive:
        assert archive.read("files/E-0001/notes.txt") == b"original bytes"
    assert "signing key fingerprint:" in export.stdout


def test_verify_package_exit_status(cli: EvidenceCli, world: World, tmp_path: Path) -> None:
    item = world.new_item()
    world.upload(item.item.number, b"original bytes", name="notes.txt")
    package = tmp_path / "package.zip"
    assert cli("export", "--case", world.number, "-o", str(package)).exit_code == 0
    intact = cli("verify-package", str(package))
    assert intact.exit_code == 0, intact.stdout
    assert "intact" in intact.stdout
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(package) as old, zipfile.ZipFile(tampered, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info.filename, b"changed" if info.filename.startswith("files/") else data)
    broken = cli("verify-package", str(tampered), "--output", "json")
    assert broken.exit_code == 3
    assert '"path": "files/E-0001/notes.txt"' in broken.stdout
    assert '"kind": "changed"' in broken.stdout


def test_outsider_denial_audited(cli: EvidenceCli, world: World, tmp_path: Path) -> None:
    item = world.new_item()
    token = cli.token_for("bob")
    report = cli("report", "--case", world.number, "-o", str(tmp_path / "r.pdf"), token=token)
    label = cli(
        "label",
        "--case",
        world.number,
        "--item",
        item.item.number,
        "-o",
        str(tmp_path / "l.pdf"),
        token=token,
    )
    export = cli("export", "--case", world.number, "-o", str(tmp_path / "p.zip"), token=token)

    for result in (report, label, export):
        assert result.exit_code == 1
        assert f"case {world.number} not found" in result.stderr
    assert not (tmp_path / "r.pdf").exists()
    assert not (tmp_path / "p.zip").exists()

    with transaction(world.factory) as session:
        denials = list(
            session.execute(
                select(AuditRecord).where(AuditRecord.action == "access.denied").order_by(AuditRecord.seq)
            ).scalars()
        )
    assert [record.detail["attempted"] for record in denials] == [
        "evidence.report",
        "evidence.label",
        "evidence.export",
    ]
    assert {record.actor_id for record in denials} == {world.bob.id}
    assert {record.object_id for record in denials} == {world.case.id}


def test_member_acts_with_token(cli: EvidenceCli, world: World, tmp_path: Path) -> None:
    item = world.new_item()
    result = cli(
        "label",
        "--case",
        world.number,
        "--item",
        item.item.number,
        "-o",
        str(tmp_path / "l.pdf"),
        token=cli.token_for("carol"),
    )
    assert result.exit_code == 0, result.stderr
    with transaction(world.factory) as session:
        actor = session.execute(
            select(AuditRecord.actor_id).where(AuditRecord.action == "evidence.label")
        ).scalar_one()
    assert actor == world.carol.id

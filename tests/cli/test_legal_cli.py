"""`casetrail doc`: verify issued PDFs (exit 0 or 3), list and add templates, render samples to PNG."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.settings import Settings
from casetrail.legal.render import shipped_file
from tests.cli.runner import Cli
from tests.legal.conftest import LegalWorld, load_world, make_store
from tests.legal.conftest import database_url as database_url  # noqa: PLC0414 - a copy of the built world

EXIT_NOT_ISSUED = 3


@pytest.fixture
def world(
    request: pytest.FixtureRequest, backend: str, factory: sessionmaker[Session], settings: Settings
) -> LegalWorld:
    return load_world(request, backend, factory, settings, make_store(settings))


@pytest.fixture
def issued(world: LegalWorld, tmp_path: Path) -> tuple[Path, str]:
    document = world.approved()
    path = tmp_path / "issued.pdf"
    path.write_bytes(world.pdf(document.id))
    return path, document.id


def test_verify_accepts_issued_pdf(cli: Cli, issued: tuple[Path, str]) -> None:
    path, document_id = issued
    result = cli("doc", "verify", str(path))
    assert result.exit_code == 0, result.stderr
    assert f"document {document_id} version 1" in result.stdout


def test_verify_rejects_changed_pdf(cli: Cli, issued: tuple[Path, str], tmp_path: Path) -> None:
    path, document_id = issued
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(path.read_bytes().replace(b"/Creator", b"/Kreator", 1))
    result = cli("doc", "verify", str(changed), "--output", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == EXIT_NOT_ISSUED
    assert data["verdict"] == "changed"
    assert data["document_id"] == document_id
    assert data["version"] == 1


def test_verify_rejects_unknown_pdf(cli: Cli, world: LegalWorld, tmp_path: Path) -> None:
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.7\n%%EOF\n")
    result = cli("doc", "verify", str(other))
    assert result.exit_code == EXIT_NOT_ISSUED
    assert "not a document Casetrail issued" in result.stdout


def test_templates_list_and_add(cli: Cli, world: LegalWorld, tmp_path: Path) -> None:
    source = tmp_path / "witness.typ"
    fields = tmp_path / "witness.toml"
    source.write_text(shipped_file("case_summary.typ"), encoding="utf-8")
    fields.write_text(
        shipped_file("case_summary.toml").replace("Case summary", "Witness statement"), encoding="utf-8"
    )
    added = cli(
        "doc", "templates", "add", "witness_statement", "--source", str(source), "--fields", str(fields)
    )
    assert added.exit_code == 0, added.stderr
    listed = cli("doc", "templates", "list", "--output", "json")
    keys = {row["key"]: row["version"] for row in json.loads(listed.stdout)}
    assert keys["witness_statement"] == 1
    assert keys["report_of_investigation"] == 1


def test_templates_add_reports_line(cli: Cli, world: LegalWorld, tmp_path: Path) -> None:
    source = tmp_path / "broken.typ"
    fields = tmp_path / "broken.toml"
    source.write_text("= Broken\n\n\n#nosuchthing\n", encoding="utf-8")
    fields.write_text(shipped_file("case_summary.toml"), encoding="utf-8")
    result = cli("doc", "templates", "add", "broken", "--source", str(source), "--fields", str(fields))
    assert result.exit_code == 1
    assert "template broken, line 4" in result.stderr


def test_sample_writes_png_pages(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "samples"
    result = cli("doc", "sample", "--out", str(out), "--template", "evidence_receipt", "--scale", "1")
    assert result.exit_code == 0, result.stderr
    pdf = (out / "evidence_receipt.pdf").read_bytes()
    pages = len(pypdfium2.PdfDocument(pdf))
    pngs = sorted(out.glob("evidence_receipt-p*.png"))
    assert len(pngs) == pages
    # A4 is 595.3 by 841.9 points; at scale 1 pdfium gives one pixel per point, rounded up.
    with Image.open(pngs[0]) as image:
        assert image.size == (596, 842)

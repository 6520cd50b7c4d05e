"""Custody reports and labels: real PDFs whose text carries items, events and hashes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from sqlalchemy import select

from casetrail.audit.models import AuditRecord
from casetrail.db.engine import transaction
from casetrail.evidence import custody
from casetrail.evidence.events import Handover
from casetrail.evidence.reports import QR_PREFIX, custody_report, item_label
from casetrail.evidence.signing import fingerprint, load_signing_key
from tests.evidence.conftest import World


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Long hashes wrap inside table cells; join the pieces for matching.
    return re.sub(r"\s+", " ", text)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _render_first_page(pdf: bytes, target: Path) -> Path:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=2).to_pil()
        image.save(target)
    finally:
        document.close()
    return target


@pytest.fixture
def custody_history(world: World) -> dict[str, str]:
    item = world.new_item(description="Black smartphone <b>#strong[not markup]</b>")
    stored = world.upload(item.item.number, b"forensic extraction report", name="extraction.txt")
    with transaction(world.factory) as session:
        custody.release(
            session,
            world.ctx(world.alice),
            world.number,
            item.item.number,
            receiver="carol",
            purpose="lab_analysis",
            handover=Handover(location="Lab intake desk", condition="seal intact"),
        )
    with transaction(world.factory) as session:
        custody.accept(
            session, world.ctx(world.carol), world.number, item.item.number, handover=Handover(condition="ok")
        )
        events = custody.item_events(session, item.item.id)
    return {
        "item": item.item.number,
        "item_id": item.item.id,
        "sha256": stored.sha256,
        "last_hash": events[-1].hash,
    }


def test_report_text_names_everything(world: World, custody_history: dict[str, str]) -> None:
    with transaction(world.factory) as session:
        pdf = custody_report(session, world.ctx(world.alice), world.settings, world.number)
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    compact = _compact(text)
    assert custody_history["item"] in text
    assert world.number in text
    assert "#strong[not markup]" in text
    for event_type in ("intake", "file added", "release", "accept"):
        assert event_type in text
    assert "Lab intake desk" in text
    assert "seal intact" in text
    assert custody_history["sha256"] in compact
    assert custody_history["last_hash"] in compact
    assert "Hash chain verified" in text
    assert fingerprint(load_signing_key(world.settings).public_key()) in compact


def test_report_for_one_item(world: World, custody_history: dict[str, str]) -> None:
    world.new_item(description="Cash in envelope", category="currency")
    with transaction(world.factory) as session:
        pdf = custody_report(
            session, world.ctx(world.alice), world.settings, world.number, [custody_history["item"]]
        )
    text = _text(pdf)
    assert "Cash in envelope" not in text
    assert custody_history["item"] in text


def test_report_audited(world: World, custody_history: dict[str, str]) -> None:
    with transaction(world.factory) as session:
        custody_report(session, world.ctx(world.dave), world.settings, world.number)
    with transaction(world.factory) as session:
        record = session.execute(
            select(AuditRecord).where(AuditRecord.action == "evidence.report")
        ).scalar_one()
    assert record.actor_id == world.dave.id
    assert record.detail == {"items": [custody_history["item_id"]]}


def test_label_text_and_qr(world: World, custody_history: dict[str, str]) -> None:
    with transaction(world.factory) as session:
        pdf = item_label(session, world.ctx(world.alice), world.number, custody_history["item"])
    text = _text(pdf)
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert custody_history["item"] in text
    assert f"Case {world.number}" in text
    assert "Black smartphone" in text
    assert "S-1001" in text
    assert f"{QR_PREFIX}{custody_history['item_id']}" in _compact(text)
    assert round(float(page.mediabox.width) / 72 * 25.4) == 100
    assert round(float(page.mediabox.height) / 72 * 25.4) == 62


def test_pages_render_to_png(world: World, custody_history: dict[str, str], tmp_path: Path) -> None:
    with transaction(world.factory) as session:
        report = custody_report(session, world.ctx(world.alice), world.settings, world.number)
        label = item_label(session, world.ctx(world.alice), world.number, custody_history["item"])
    report_png = _render_first_page(report, tmp_path / "report.png")
    label_png = _render_first_page(label, tmp_path / "label.png")
    assert report_png.read_bytes().startswith(b"\x89PNG")
    assert label_png.stat().st_size > 5_000

"""Every shipped template rendered from a case built of real OpenSanctions entities."""

from __future__ import annotations

import io

import docx
import pytest

from casetrail.db.engine import transaction
from casetrail.legal import library, service
from tests.legal.conftest import CST_NAME, SYNOPSIS, ZAKHAROV_INN, ZAKHAROV_NAME, LegalWorld
from tests.legal.pdftext import pdfium_text, pypdf_text

TEMPLATES = [
    "case_summary",
    "evidence_receipt",
    "link_chart_appendix",
    "report_of_investigation",
    "search_warrant_affidavit",
    "subpoena_request",
]


def test_library_ships_every_template(world: LegalWorld) -> None:
    with transaction(world.factory) as session:
        keys = [view.template.key for view in library.list_templates(session, world.ctx(world.alice))]
    assert sorted(keys) == TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_renders_case_facts(world: LegalWorld, template: str) -> None:
    document = world.create(template)
    pdf = world.pdf(document.id)
    text = pypdf_text(pdf)
    assert pdf.startswith(b"%PDF-")
    assert world.number in text
    assert "ZALA Aero ownership" in text
    assert f"Casetrail document {document.id} version 1" in pdfium_text(pdf)


def test_report_shows_subjects_evidence_notes(world: LegalWorld) -> None:
    document = world.create("report_of_investigation")
    text = pypdf_text(world.pdf(document.id))
    assert ZAKHAROV_NAME in text
    assert ZAKHAROV_INN in text
    assert CST_NAME in text
    assert "Share register extract of LLC CST" in text
    assert "S-7731" in text
    assert SYNOPSIS in text
    assert "Met the registrar about" in text


def test_report_chronology_has_dated_ownership(world: LegalWorld) -> None:
    document = world.create("report_of_investigation")
    text = pypdf_text(world.pdf(document.id))
    # Zakharov's ownership of Zala Aero starts on 2024-03-22 in the OpenSanctions data.
    assert "2024-03-22" in text


def test_receipt_shows_custody_log(world: LegalWorld) -> None:
    document = world.create("evidence_receipt")
    text = pypdf_text(world.pdf(document.id))
    assert "release" in text
    assert "Lab intake desk" in text or "Carol" in text
    assert "Hash chain verified" in text


def test_chart_appendix_lists_links(world: LegalWorld) -> None:
    document = world.create("link_chart_appendix")
    text = pypdf_text(world.pdf(document.id))
    assert "Control of CST" in text
    assert "Ownership" in text
    assert 'Joint-Stock Company "Zala Aero"' in text


def test_typst_markup_in_sections_is_text(world: LegalWorld) -> None:
    markup = '#strong[not markup] #import "x.typ" $x$ ]'
    document = world.create("case_summary", sections={"summary": markup})
    text = pypdf_text(world.pdf(document.id))
    assert "#strong[not markup]" in text


def test_docx_carries_sections(world: LegalWorld) -> None:
    document = world.create("report_of_investigation")
    with transaction(world.factory) as session:
        data = service.document_docx(session, world.ctx(world.alice), world.number, document.id)[2]
    parsed = docx.Document(io.BytesIO(data))
    paragraphs = "\n".join(paragraph.text for paragraph in parsed.paragraphs)
    cells = "\n".join(cell.text for table in parsed.tables for row in table.rows for cell in row.cells)
    assert SYNOPSIS in paragraphs
    assert ZAKHAROV_NAME in paragraphs
    assert "S-7731" in cells
    assert next(p.text for p in parsed.paragraphs if p.style.name == "Heading 1") == "Synopsis"

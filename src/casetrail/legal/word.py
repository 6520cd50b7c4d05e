"""Editable DOCX rendering of a document version, built with python-docx from the field definitions.

Why python-docx and not docxtpl: a docxtpl template is a .docx file per template that an
administrator would have to keep in step with the typst source by hand, and that cannot be
edited or checked in the browser. Building the DOCX from the same field definitions and the
same stored inputs as the PDF gives every template, including ones an administrator adds, an
editable DOCX with the same sections in the same order, with real Word headings, paragraphs and
tables (no text boxes or images of text), so a prosecutor can edit it in any word processor.
The layout is plainer than the PDF's, and a chart appears as its table of links. The DOCX is a
working copy: only the PDF is issued and verified.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.shared import Pt

from casetrail.legal.definitions import TemplateDefinition

_NONE = "None recorded."


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def _prose(doc: DocxDocument, value: Any) -> None:
    text = str(value or "").strip()
    if not text:
        doc.add_paragraph("Not completed.")
        return
    for part in text.split("\n\n"):
        doc.add_paragraph(part.strip())


def _line(doc: DocxDocument, value: Any) -> None:
    doc.add_paragraph(str(value or ""))


def _subjects(doc: DocxDocument, value: Any) -> None:
    for subject in value or []:
        heading = doc.add_paragraph()
        heading.add_run(subject["caption"]).bold = True
        heading.add_run(f"  {subject['schema']}")
        _table(doc, ["Fact", "Value"], [[row["label"], row["value"]] for row in subject["properties"]])


def _evidence(doc: DocxDocument, value: Any) -> None:
    rows = [
        [
            item["number"],
            item["description"]
            + "".join(f"\nFile {file['name']}, SHA-256 {file['sha256']}" for file in item["files"]),
            f"{item['obtained_at']}\n{item['obtained']}",
            f"{item['seal_number']}\n{item['status']}",
        ]
        for item in value or []
    ]
    _table(doc, ["Item", "Description", "Obtained", "Seal, status"], rows)


def _custody(doc: DocxDocument, value: Any) -> None:
    for item in value or []:
        doc.add_paragraph().add_run(f"Item {item['number']}: {item['description']}").bold = True
        rows = [
            [str(event["seq"]), event["occurred_at"], event["event_type"], event["parties"],
             f"{event['recorded_by']}\n{event['notes']}".strip()]
            for event in item["events"]
        ]  # fmt: skip
        _table(doc, ["No.", "Time", "Event", "From → to", "Recorded by, notes"], rows)
        doc.add_paragraph(item["chain_status"])


def _timeline(doc: DocxDocument, value: Any) -> None:
    _table(doc, ["Date", "Kind", "What"], [[row["when"], row["kind"], row["label"]] for row in value or []])


def _notes(doc: DocxDocument, value: Any) -> None:
    for note in value or []:
        doc.add_paragraph().add_run(f"{note['author']}, {note['created_at']}").italic = True
        _prose(doc, note["body"])


def _chart(doc: DocxDocument, value: Any) -> None:
    captions = {node["key"]: node["caption"] for node in value["nodes"]}
    doc.add_paragraph(f"{value['title']}: {len(value['nodes'])} entities. The drawing is in the PDF.")
    rows = [[captions[edge["source"]], edge["label"], captions[edge["target"]]] for edge in value["edges"]]
    _table(doc, ["From", "Link", "To"], rows)


_WRITERS: dict[str, Callable[[DocxDocument, Any], None]] = {
    "text": _prose,
    "line": _line,
    "subjects": _subjects,
    "evidence": _evidence,
    "custody": _custody,
    "timeline": _timeline,
    "notes": _notes,
    "chart": _chart,
}


def _case_facts(doc: DocxDocument, inputs: dict[str, Any]) -> None:
    case = inputs["case"]
    rows = [
        ["Case", f"{case['number']} — {case['title']}"],
        ["Offence", case["offence_category"]],
        ["Lead investigator", case["lead"]],
        ["Unit", case["unit"]],
        ["Prepared by", inputs["prepared_by"]],
        ["Prepared", inputs["prepared_at"]],
    ]
    _table(doc, ["", ""], [row for row in rows if row[1]])


def _footer(doc: DocxDocument, meta: dict[str, Any]) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    run = paragraph.add_run(f"{meta['footer_line']}\nContent SHA-256 {meta['content_sha256']}")
    run.font.size = Pt(7)


def render_docx(definition: TemplateDefinition, inputs: dict[str, Any], meta: dict[str, Any]) -> bytes:
    """Return the DOCX of a version: the same sections, in the same order, as the template's PDF."""
    doc = docx.Document()
    doc.core_properties.title = inputs["title"]
    doc.core_properties.author = "Casetrail"
    doc.add_heading(definition.name, level=0)
    doc.add_paragraph(f"{inputs['case']['sensitivity'].upper()}")
    _case_facts(doc, inputs)
    for item in definition.fields:
        doc.add_heading(item.label, level=1)
        value = inputs["fields"].get(item.name)
        if item.source not in ("text", "line") and not value:
            doc.add_paragraph(_NONE)
            continue
        _WRITERS[item.source](doc, value)
    if meta["approved_by"]:
        doc.add_paragraph(f"Approved by {meta['approved_by']} on {meta['approved_at']}.")
    else:
        doc.add_paragraph(f"{meta['status'].upper()}: not approved, not for filing.")
    _footer(doc, meta)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()

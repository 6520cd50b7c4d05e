"""Office Open XML documents: DOCX, XLSX and PPTX.

DOCX gives one page with the body paragraphs and tables in order. XLSX gives one page per
worksheet, with cells separated by tabs and the sheet name on the first line. PPTX gives one
page per slide with its notes. Embedded objects and media (``*/embeddings/*``, ``*/media/*``) become
children. Core properties are read from ``docProps/core.xml`` directly, because python-docx
and python-pptx invent default values (title, author, "now" as creation time) when the part
is missing.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pptx
from docx.table import Table
from pptx.enum.shapes import MSO_SHAPE_TYPE

from casetrail.documents.extract._common import ChildWriter, check_input
from casetrail.documents.extract._zipguard import is_symlink, open_zip, reject_xml_dtds
from casetrail.documents.extract.base import (
    ExtractedChild,
    ExtractedPage,
    Extraction,
    ExtractionFailed,
    Limits,
)
from casetrail.documents.extract.text import parse_xml_safely

_CORE_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dcterms": "http://purl.org/dc/terms/",
}
_EMBEDDED_DIRS = (
    "word/embeddings/",
    "word/media/",
    "xl/embeddings/",
    "xl/media/",
    "ppt/embeddings/",
    "ppt/media/",
)
# Errors the office libraries raise on a damaged package, besides zip and XML errors.
_LIBRARY_ERRORS = (KeyError, ValueError, TypeError, AttributeError, IndexError, zipfile.BadZipFile, OSError)

PageReader = Callable[[Path, Limits], list[ExtractedPage]]


def extract_docx(path: Path, limits: Limits, workdir: Path) -> Extraction:
    return _extract_ooxml(
        path,
        limits,
        workdir,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _docx_pages,
    )


def extract_xlsx(path: Path, limits: Limits, workdir: Path) -> Extraction:
    return _extract_ooxml(
        path,
        limits,
        workdir,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _xlsx_pages,
    )


def extract_pptx(path: Path, limits: Limits, workdir: Path) -> Extraction:
    return _extract_ooxml(
        path,
        limits,
        workdir,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _pptx_pages,
    )


def extract_encrypted_office(path: Path, limits: Limits, workdir: Path) -> Extraction:
    """Reject an encrypted Office file (an OLE container holding ``EncryptedPackage``)."""
    raise ExtractionFailed("The Office file is protected by a password. Upload a copy without the password.")


def _extract_ooxml(
    path: Path, limits: Limits, workdir: Path, media_type: str, read_pages: PageReader
) -> Extraction:
    size = check_input(path, limits)
    with open_zip(path, limits) as package:
        reject_xml_dtds(package)
        core = read_core_properties(package)
        children = _write_embedded(package, ChildWriter(workdir, limits, size))
    try:
        pages = read_pages(path, limits)
    except ExtractionFailed:
        raise
    except _LIBRARY_ERRORS as exc:
        raise ExtractionFailed(
            f"The Office file is damaged and cannot be read ({type(exc).__name__}: {exc})."
        ) from exc
    return Extraction(
        media_type=media_type,
        title=core.get("title", ""),
        author=core.get("author", ""),
        document_date=_parse_w3c_date(core.get("created", "")),
        pages=pages,
        meta={"office": core},
        children=children,
    )


def read_core_properties(package: zipfile.ZipFile) -> dict[str, str]:
    """Return title, author, subject, last_modified_by, created and modified from core.xml."""
    try:
        data = package.read("docProps/core.xml")
    except KeyError:
        return {}
    root = parse_xml_safely(data)
    fields = {
        "title": "dc:title",
        "author": "dc:creator",
        "subject": "dc:subject",
        "last_modified_by": "cp:lastModifiedBy",
        "created": "dcterms:created",
        "modified": "dcterms:modified",
    }
    found: dict[str, str] = {}
    for key, tag in fields.items():
        element = root.find(tag, _CORE_NS)
        if element is not None and element.text and element.text.strip():
            found[key] = element.text.strip()
    return found


def _write_embedded(package: zipfile.ZipFile, writer: ChildWriter) -> list[ExtractedChild]:
    for info in package.infolist():
        if info.is_dir() or is_symlink(info) or not info.filename.startswith(_EMBEDDED_DIRS):
            continue
        with package.open(info) as member:
            writer.add_stream(info.filename, member)
    return list(writer.children)


def _docx_pages(path: Path, limits: Limits) -> list[ExtractedPage]:
    document = docx.Document(str(path))
    blocks: list[str] = []
    for section in document.sections:
        blocks.extend(p.text for p in section.header.paragraphs if p.text.strip())
    for block in document.iter_inner_content():
        blocks.append(_table_text(block) if isinstance(block, Table) else block.text)
    for section in document.sections:
        blocks.extend(p.text for p in section.footer.paragraphs if p.text.strip())
    return [ExtractedPage(1, "\n".join(blocks).strip())]


def _table_text(table: Table) -> str:
    return "\n".join("\t".join(cell.text for cell in row.cells) for row in table.rows)


def _xlsx_pages(path: Path, limits: Limits) -> list[ExtractedPage]:
    # openpyxl 3.1 rejects a path whose name does not end in .xlsx, and stored files have no
    # such name. A file object skips that check.
    with path.open("rb") as handle:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            pages = []
            for index, sheet in enumerate(workbook.worksheets):
                if index >= limits.max_pages:
                    break
                lines = [sheet.title, *_sheet_lines(sheet)]
                pages.append(ExtractedPage(index + 1, "\n".join(lines)))
            return pages
        finally:
            workbook.close()


def _sheet_lines(sheet: Any) -> Iterator[str]:
    for row in sheet.iter_rows(values_only=True):
        cells = ["" if value is None else str(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            yield "\t".join(cells)


def _pptx_pages(path: Path, limits: Limits) -> list[ExtractedPage]:
    presentation = pptx.Presentation(str(path))
    pages = []
    for index, slide in enumerate(presentation.slides):
        if index >= limits.max_pages:
            break
        texts = [text for shape in slide.shapes for text in _shape_texts(shape)]
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            notes = slide.notes_slide.notes_text_frame.text.strip()
            if notes:
                texts.append(notes)
        pages.append(ExtractedPage(index + 1, "\n".join(texts)))
    return pages


def _shape_texts(shape: Any) -> Iterator[str]:
    if shape.has_text_frame and shape.text_frame.text.strip():
        yield shape.text_frame.text
    if getattr(shape, "has_table", False) and shape.has_table:
        for row in shape.table.rows:
            yield "\t".join(cell.text for cell in row.cells)
    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        for inner in shape.shapes:
            yield from _shape_texts(inner)


def _parse_w3c_date(value: str) -> datetime | None:
    """Parse an ISO 8601 date from a property part, reading a value without a zone as UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

"""Microsoft Office 97-2003 binary files: Word (.doc), Excel (.xls) and PowerPoint (.ppt).

All three are OLE compound files. olefile opens the container first, so a truncated or damaged
file is rejected with a readable reason before any tool runs. Title, author, subject and dates
come from the container's ``SummaryInformation`` property set and go to ``meta["office"]``
under the keys the Office Open XML extractors use.

- .doc: ``catdoc`` (Debian package catdoc) writes the text, which becomes one page.
- .xls: xlrd gives one page per worksheet, with the sheet name on the first line and cells
  separated by tabs, as for XLSX.
- .ppt: ``catppt`` (Debian package catdoc) writes the text of the ``PowerPoint Document``
  stream and ends each slide with a form feed, and each block becomes a page.

Password-protected files are rejected. Embedded objects and images are not extracted.
"""

from __future__ import annotations

import codecs
import io
import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import olefile
import xlrd

from casetrail.documents.extract._common import check_input, run_tool
from casetrail.documents.extract.base import ExtractedPage, Extraction, ExtractionFailed, Limits
from casetrail.documents.extract.detect import DOC, PPT, XLS

# Code pages that have no "cpNNNN" codec name in Python.
_CODE_PAGE_CODECS = {10000: "mac-roman", 1200: "utf-16-le", 65001: "utf-8"}
# FIB flags of the WordDocument stream: a 16-bit field at offset 0x0A, where bit 8 is
# fEncrypted ([MS-DOC] 2.5.2, FibBase).
_FIB_FLAGS_OFFSET = 0x0A
_FIB_ENCRYPTED = 0x0100
_PASSWORD_MESSAGE = "The {kind} file is protected by a password. Upload a copy without the password."


def extract_doc(path: Path, limits: Limits, workdir: Path) -> Extraction:
    check_input(path, limits)
    properties = _read_container(path, "WordDocument", "Word")
    if _word_is_encrypted(path):
        raise ExtractionFailed(_PASSWORD_MESSAGE.format(kind="Word"))
    # -w keeps paragraphs on one line (catdoc wraps at 72 columns by default).
    output = run_tool(["catdoc", "-w", "-d", "utf-8", str(path)], limits)
    text = output.decode("utf-8", "replace").strip()
    return _extraction(DOC, properties, [ExtractedPage(1, text)])


def extract_xls(path: Path, limits: Limits, workdir: Path) -> Extraction:
    check_input(path, limits)
    properties = _read_container(path, ("Workbook", "Book"), "Excel")
    try:
        # xlrd prints warnings about damaged files to its log file, standard output by default.
        workbook = xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise ExtractionFailed(_PASSWORD_MESSAGE.format(kind="Excel")) from exc
        raise ExtractionFailed(f"The Excel file is damaged or truncated and cannot be read ({exc}).") from exc
    except (xlrd.compdoc.CompDocError, struct.error, ValueError, IndexError, KeyError, AssertionError) as exc:
        raise ExtractionFailed(
            f"The Excel file is damaged or truncated and cannot be read ({type(exc).__name__}: {exc})."
        ) from exc
    try:
        pages = _xls_pages(workbook, limits)
    finally:
        workbook.release_resources()
    return _extraction(XLS, properties, pages)


def extract_ppt(path: Path, limits: Limits, workdir: Path) -> Extraction:
    check_input(path, limits)
    properties = _read_container(path, "PowerPoint Document", "PowerPoint")
    output = run_tool(["catppt", "-d", "utf-8", str(path)], limits)
    # NOTE: catppt 0.95 reads every text record in file order, so a file saved incrementally
    # (several copies of the slide list in one stream) repeats its slides, and text of the
    # master slides can form a page of its own. Repeated blocks are dropped here.
    blocks: list[str] = []
    for block in output.decode("utf-8", "replace").split("\f"):
        text = block.replace("\r", "\n").strip()
        if text and text not in blocks:
            blocks.append(text)
    pages = [ExtractedPage(number, text) for number, text in enumerate(blocks[: limits.max_pages], start=1)]
    return _extraction(PPT, properties, pages)


def _read_container(path: Path, streams: str | tuple[str, ...], kind: str) -> dict[str, Any]:
    """Open the OLE container, check that it contains one of ``streams``, and return its properties."""
    expected = (streams,) if isinstance(streams, str) else streams
    damaged = f"The {kind} file is damaged or truncated and cannot be read"
    try:
        with olefile.OleFileIO(str(path)) as ole:
            names = {"/".join(entry).lower() for entry in ole.listdir()}
            if "encryptedsummary" in names:
                # PowerPoint's encrypted form keeps its document properties in this stream.
                # NOTE: no encrypted .ppt sample was available, so this branch is untested.
                raise ExtractionFailed(_PASSWORD_MESSAGE.format(kind=kind))
            main = next((stream for stream in expected if stream.lower() in names), None)
            if main is None:
                raise ExtractionFailed(f"{damaged}: it has no {expected[0]} stream.")
            if _stream_length(ole, main) < ole.get_size(main):
                raise ExtractionFailed(f"{damaged}: its {main} stream ends early.")
            return _summary_properties(ole.get_metadata())
    except (OSError, ValueError, struct.error, IndexError) as exc:
        raise ExtractionFailed(f"{damaged} ({exc}).") from exc


def _stream_length(ole: Any, name: str) -> int:
    """Return how many bytes of stream ``name`` can be read (fewer than its size if truncated).

    olefile 0.47 loads the whole stream into memory when it opens it, within the memory limit
    of the extraction process.
    """
    with ole.openstream(name) as stream:
        return len(stream.read())


def _summary_properties(metadata: Any) -> dict[str, Any]:
    encoding = _code_page_codec(metadata.codepage)
    texts = {
        "title": metadata.title,
        "author": metadata.author,
        "subject": metadata.subject,
        "last_modified_by": metadata.last_saved_by,
    }
    found: dict[str, Any] = {}
    for key, raw in texts.items():
        value = raw.decode(encoding, "replace") if isinstance(raw, bytes) else str(raw or "")
        if value.strip("\x00 \t\r\n"):
            found[key] = value.strip("\x00 \t\r\n")
    for key, stamp in (("created", metadata.create_time), ("modified", metadata.last_saved_time)):
        # OLE property sets store FILETIME values in UTC.
        if isinstance(stamp, datetime) and stamp.year > 1601:
            found[key] = stamp.replace(tzinfo=UTC)
    return found


def _code_page_codec(code_page: Any) -> str:
    if not isinstance(code_page, int):
        return "cp1252"
    name = _CODE_PAGE_CODECS.get(code_page, f"cp{code_page}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "cp1252"


def _word_is_encrypted(path: Path) -> bool:
    with olefile.OleFileIO(str(path)) as ole, ole.openstream("WordDocument") as stream:
        head = stream.read(_FIB_FLAGS_OFFSET + 2)
    if len(head) < _FIB_FLAGS_OFFSET + 2:
        raise ExtractionFailed("The Word file is damaged or truncated: its WordDocument stream is too short.")
    (flags,) = struct.unpack_from("<H", head, _FIB_FLAGS_OFFSET)
    return bool(flags & _FIB_ENCRYPTED)


def _xls_pages(workbook: Any, limits: Limits) -> list[ExtractedPage]:
    pages = []
    for index in range(min(workbook.nsheets, limits.max_pages)):
        sheet = workbook.sheet_by_index(index)
        lines = [sheet.name, *_xls_sheet_lines(sheet, workbook.datemode)]
        pages.append(ExtractedPage(index + 1, "\n".join(lines).rstrip()))
        workbook.unload_sheet(index)
    return pages


def _xls_sheet_lines(sheet: Any, datemode: int) -> Iterator[str]:
    for row in range(sheet.nrows):
        cells = [_xls_cell_text(cell, datemode) for cell in sheet.row(row)]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            yield "\t".join(cells)


def _xls_cell_text(cell: Any, datemode: int) -> str:
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        value = float(cell.value)
        return str(int(value)) if value.is_integer() else repr(value)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return str(xlrd.xldate_as_datetime(cell.value, datemode).isoformat())
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return str(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return str(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
    return str(cell.value or "")


def _extraction(media_type: str, properties: dict[str, Any], pages: list[ExtractedPage]) -> Extraction:
    created = properties.get("created")
    office = {
        key: value.isoformat() if isinstance(value, datetime) else value for key, value in properties.items()
    }
    return Extraction(
        media_type=media_type,
        title=str(properties.get("title", "")),
        author=str(properties.get("author", "")),
        document_date=created if isinstance(created, datetime) else None,
        pages=pages,
        meta={"office": office},
    )

"""PDF: the text layer of each page, OCR of pages without one, page previews and attachments.

A page whose text layer contains fewer than ``MIN_TEXT_CHARS`` non-space characters is rendered
at ``OCR_DPI`` and read by tesseract, and such pages have ``ocr=True``. At most
``Limits.max_ocr_pages`` pages of one document are read this way. The page numbers left out
are listed in ``meta["pdf"]["ocr_skipped_pages"]``, and pages PDFium cannot read in
``meta["pdf"]["unreadable_pages"]``.

The first ``MAX_PREVIEW_PAGES`` pages get a PNG preview of at most 1000 pixels per side.
Previews stay in memory until the pipeline stores them, at about 120 kB per page (measured
on ``testPDF_protected.pdf``, a 41-page speech). Embedded files (PDF attachments) become
children.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from casetrail.documents.extract._common import ChildWriter, check_input
from casetrail.documents.extract.base import ExtractedPage, Extraction, ExtractionFailed, Limits
from casetrail.documents.extract.ocr import ocr_image, preview_png

MIN_TEXT_CHARS = 16
OCR_DPI = 300
PREVIEW_DPI = 72
MAX_PREVIEW_PAGES = 500
_POINTS_PER_INCH = 72
_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+\-])?(\d{2})?'?(\d{2})?")


def extract_pdf(path: Path, limits: Limits, workdir: Path) -> Extraction:
    size = check_input(path, limits)
    document = _open(path)
    try:
        page_count = len(document)
        if page_count > limits.max_pages:
            raise ExtractionFailed(f"The PDF has {page_count} pages, over the limit of {limits.max_pages}.")
        info = document.get_metadata_dict()
        pages, report = _read_pages(document, limits)
        children = _write_attachments(document, ChildWriter(workdir, limits, size))
        encrypted = pdfium_c.FPDF_GetSecurityHandlerRevision(document.raw) != -1
    finally:
        document.close()
    meta: dict[str, Any] = {
        "pdf": {
            "page_count": page_count,
            "producer": info.get("Producer", ""),
            "creator": info.get("Creator", ""),
            "subject": info.get("Subject", ""),
            "keywords": info.get("Keywords", ""),
            "encrypted": encrypted,
            **report,
        }
    }
    return Extraction(
        media_type="application/pdf",
        title=info.get("Title", "").strip(),
        author=info.get("Author", "").strip(),
        document_date=parse_pdf_date(info.get("CreationDate", "")),
        pages=pages,
        meta=meta,
        children=children,
    )


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractionFailed(
                "The PDF is protected by a password. Upload a copy without the password."
            ) from exc
        raise ExtractionFailed(
            f"The PDF cannot be read because it is damaged or is not a PDF ({exc})."
        ) from exc


def _read_pages(
    document: pdfium.PdfDocument, limits: Limits
) -> tuple[list[ExtractedPage], dict[str, list[int]]]:
    """Read every page and return the pages plus the page numbers by outcome.

    A page that PDFium cannot load or render is kept with an empty text and listed under
    ``unreadable_pages``, so one damaged page does not cost the rest of the document.
    """
    pages: list[ExtractedPage] = []
    report: dict[str, list[int]] = {"ocr_pages": [], "ocr_skipped_pages": [], "unreadable_pages": []}
    for index in range(len(document)):
        try:
            pages.append(_read_page(document, index, limits, report))
        except pdfium.PdfiumError:
            report["unreadable_pages"].append(index + 1)
            pages.append(ExtractedPage(index + 1, ""))
    return pages, report


def _read_page(
    document: pdfium.PdfDocument, index: int, limits: Limits, report: dict[str, list[int]]
) -> ExtractedPage:
    page_no = index + 1
    page = document[index]
    try:
        text = _page_text(page)
        preview = _preview(page) if index < MAX_PREVIEW_PAGES else None
        if len("".join(text.split())) >= MIN_TEXT_CHARS:
            return ExtractedPage(page_no, text, image_png=preview)
        if len(report["ocr_pages"]) >= limits.max_ocr_pages:
            report["ocr_skipped_pages"].append(page_no)
            return ExtractedPage(page_no, text, image_png=preview)
        image = page.render(scale=OCR_DPI / _POINTS_PER_INCH).to_pil()
        ocr_text = ocr_image(image, limits, dpi=OCR_DPI)
        report["ocr_pages"].append(page_no)
        return ExtractedPage(page_no, ocr_text or text, ocr=True, image_png=preview)
    finally:
        page.close()


def _preview(page: pdfium.PdfPage) -> bytes:
    return preview_png(page.render(scale=PREVIEW_DPI / _POINTS_PER_INCH).to_pil())


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        text: str = textpage.get_text_bounded()
    finally:
        textpage.close()
    return text.replace("\r\n", "\n").replace("\x00", "")


def _write_attachments(document: pdfium.PdfDocument, writer: ChildWriter) -> list[Any]:
    for index in range(document.count_attachments()):
        attachment = document.get_attachment(index)
        name = attachment.get_name() or f"attachment-{index + 1}"
        try:
            data = bytes(attachment.get_data())
        except pdfium.PdfiumError:
            continue
        writer.add_bytes(name, data)
    return list(writer.children)


def parse_pdf_date(value: str) -> datetime | None:
    """Parse a PDF date string (``D:YYYYMMDDHHmmSS+HH'mm'``), or return None when it is not one."""
    match = _PDF_DATE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, sign, off_h, off_m = match.groups()
    offset = UTC
    if sign in ("+", "-") and off_h:
        delta = timedelta(hours=int(off_h), minutes=int(off_m or 0))
        offset = timezone(delta if sign == "+" else -delta)
    try:
        return datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=offset,
        )
    except ValueError:
        return None

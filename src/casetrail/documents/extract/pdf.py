"""PDF: the text layer of each page, OCR of pages without one, page previews and attachments.

A page whose text layer contains fewer than ``MIN_TEXT_CHARS`` non-space characters is rendered
at ``OCR_DPI`` and read by tesseract, and such pages have ``ocr=True``. At most
``Limits.max_ocr_pages`` pages of one document are read this way, and the page numbers left
out are listed in ``meta["pdf"]["ocr_skipped_pages"]``. Every page gets a PNG preview of at
most 1000 pixels per side. Embedded files (PDF attachments) become children.
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
        pages, ocr_pages, skipped = _read_pages(document, limits)
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
            "ocr_pages": ocr_pages,
            "ocr_skipped_pages": skipped,
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
        raise ExtractionFailed(f"The PDF cannot be read, it is damaged or not a PDF ({exc}).") from exc


def _read_pages(
    document: pdfium.PdfDocument, limits: Limits
) -> tuple[list[ExtractedPage], list[int], list[int]]:
    pages: list[ExtractedPage] = []
    ocr_pages: list[int] = []
    skipped: list[int] = []
    for index in range(len(document)):
        page_no = index + 1
        page = _load_page(document, index)
        try:
            text = _page_text(page)
            preview = preview_png(page.render(scale=PREVIEW_DPI / _POINTS_PER_INCH).to_pil())
            needs_ocr = len("".join(text.split())) < MIN_TEXT_CHARS
            if needs_ocr and len(ocr_pages) < limits.max_ocr_pages:
                image = page.render(scale=OCR_DPI / _POINTS_PER_INCH).to_pil()
                ocr_text = ocr_image(image, limits, dpi=OCR_DPI)
                ocr_pages.append(page_no)
                pages.append(ExtractedPage(page_no, ocr_text or text, ocr=True, image_png=preview))
                continue
            if needs_ocr:
                skipped.append(page_no)
            pages.append(ExtractedPage(page_no, text, image_png=preview))
        finally:
            page.close()
    return pages, ocr_pages, skipped


def _load_page(document: pdfium.PdfDocument, index: int) -> pdfium.PdfPage:
    try:
        return document[index]
    except pdfium.PdfiumError as exc:
        raise ExtractionFailed(f"Page {index + 1} of the PDF cannot be read: {exc}.") from exc


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

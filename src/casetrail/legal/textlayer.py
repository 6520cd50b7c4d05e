"""Reading the text layer of a PDF with pdfium, as a reader's PDF viewer would extract it."""

from __future__ import annotations

import pypdfium2

from casetrail.core.errors import ValidationFailed


def pdf_text(pdf: bytes) -> str:
    """Return the text of every page, pages separated by form feeds."""
    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError as error:
        raise ValidationFailed(f"the file is not a readable PDF: {error}", {"file": "not a PDF"}) from None
    try:
        pages = []
        for page in document:
            text_page = page.get_textpage()
            pages.append(text_page.get_text_range())
            text_page.close()
            page.close()
        return "\f".join(pages)
    finally:
        document.close()

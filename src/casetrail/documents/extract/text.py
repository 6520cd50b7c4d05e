"""Plain text (any common encoding), CSV and generic XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from casetrail.documents.extract._common import check_input, decode_text
from casetrail.documents.extract.base import ExtractedPage, Extraction, ExtractionFailed, Limits


def extract_text(path: Path, limits: Limits, workdir: Path) -> Extraction:
    """Decode a text file into one page and name the encoding used in ``meta["encoding"]``."""
    check_input(path, limits)
    text, encoding = decode_text(path.read_bytes())
    return Extraction(
        media_type="text/plain",
        pages=[ExtractedPage(page_no=1, text=text)],
        meta={"encoding": encoding},
    )


def extract_csv(path: Path, limits: Limits, workdir: Path) -> Extraction:
    extraction = extract_text(path, limits, workdir)
    extraction.media_type = "text/csv"
    return extraction


def parse_xml_safely(source: Path | bytes) -> ET.Element:
    """Parse XML with defusedxml, rejecting any DTD, so entity expansion cannot happen.

    Raises ``ExtractionFailed`` for a DTD, an entity declaration or malformed XML.
    """
    try:
        if isinstance(source, bytes):
            root: ET.Element = SafeET.fromstring(source, forbid_dtd=True)
        else:
            root = SafeET.parse(source, forbid_dtd=True).getroot()
    except DefusedXmlException as exc:
        raise ExtractionFailed(
            "The XML declares a document type or entities, which are rejected because entity "
            "expansion can exhaust memory (a 'billion laughs' document)."
        ) from exc
    except ET.ParseError as exc:
        raise ExtractionFailed(f"The XML is malformed: {exc}.") from exc
    return root


def extract_xml(path: Path, limits: Limits, workdir: Path) -> Extraction:
    """Take the text content of every element of an XML file, one line per text node."""
    check_input(path, limits)
    root = parse_xml_safely(path)
    lines = [chunk.strip() for chunk in root.itertext() if chunk.strip()]
    return Extraction(
        media_type="application/xml",
        pages=[ExtractedPage(page_no=1, text="\n".join(lines))],
        meta={"xml_root": root.tag},
    )

"""OpenDocument files: paragraphs and headings from content.xml, properties from meta.xml.

Written for text documents (ODT). Spreadsheets (ODS) and presentations (ODP) keep their cell
and slide text in the same paragraph elements, so they are read the same way, as one page.
Both parts are parsed with defusedxml and any DTD is rejected.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime
from pathlib import Path

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

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_META_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
_BLOCK_TAGS = {f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h"}
_EMBEDDED_PREFIXES = ("Pictures/", "Object ")


def extract_odt(path: Path, limits: Limits, workdir: Path) -> Extraction:
    size = check_input(path, limits)
    with open_zip(path, limits) as package:
        reject_xml_dtds(package)
        media_type = _declared_type(package)
        content = parse_xml_safely(_read_part(package, "content.xml"))
        properties = _read_meta(package)
        children = _write_embedded(package, ChildWriter(workdir, limits, size))
    text = "\n".join(_block_text(element) for element in content.iter() if element.tag in _BLOCK_TAGS)
    return Extraction(
        media_type=media_type,
        title=properties.get("title", ""),
        author=properties.get("author", ""),
        document_date=_parse_date(properties.get("created", "")),
        pages=[ExtractedPage(1, text.strip())],
        meta={"office": properties},
        children=children,
    )


def _declared_type(package: zipfile.ZipFile) -> str:
    """Return the media type in the package's ``mimetype`` member, ODT when there is none."""
    if "mimetype" in package.namelist():
        declared = package.read("mimetype")[:100].decode("ascii", "replace").strip()
        if declared.startswith("application/vnd.oasis.opendocument."):
            return declared
    return "application/vnd.oasis.opendocument.text"


def _read_part(package: zipfile.ZipFile, name: str) -> bytes:
    try:
        return package.read(name)
    except KeyError as exc:
        raise ExtractionFailed(f"The OpenDocument file has no {name}, so it is damaged.") from exc


def _read_meta(package: zipfile.ZipFile) -> dict[str, str]:
    if "meta.xml" not in package.namelist():
        return {}
    root = parse_xml_safely(package.read("meta.xml"))
    fields = {
        "title": "office:meta/dc:title",
        "author": "office:meta/meta:initial-creator",
        "last_modified_by": "office:meta/dc:creator",
        "subject": "office:meta/dc:subject",
        "created": "office:meta/meta:creation-date",
        "modified": "office:meta/dc:date",
    }
    found: dict[str, str] = {}
    for key, tag in fields.items():
        element = root.find(tag, _META_NS)
        if element is not None and element.text and element.text.strip():
            found[key] = element.text.strip()
    if "author" not in found and "last_modified_by" in found:
        found["author"] = found["last_modified_by"]
    return found


def _block_text(element: ET.Element) -> str:
    """Return the text of a paragraph or heading, with ``text:s``, tabs and line breaks expanded."""
    parts: list[str] = [element.text or ""]
    for child in element:
        name = child.tag.rsplit("}", 1)[-1]
        if name == "s":
            parts.append(" " * int(child.get(f"{{{_TEXT_NS}}}c", "1") or 1))
        elif name == "tab":
            parts.append("\t")
        elif name == "line-break":
            parts.append("\n")
        elif child.tag not in _BLOCK_TAGS:
            parts.append(_block_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _write_embedded(package: zipfile.ZipFile, writer: ChildWriter) -> list[ExtractedChild]:
    for info in package.infolist():
        if info.is_dir() or is_symlink(info) or not info.filename.startswith(_EMBEDDED_PREFIXES):
            continue
        with package.open(info) as member:
            writer.add_stream(info.filename, member)
    return list(writer.children)


def _parse_date(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

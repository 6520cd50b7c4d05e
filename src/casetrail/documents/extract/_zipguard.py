"""Checks run on a zip container before anything reads its members.

Office files (DOCX, XLSX, PPTX, ODT) are zip packages of XML parts, so they get the same
decompression-bomb limits as archives, plus a scan that rejects XML parts declaring a DTD.
Python's ``zipfile`` never returns more bytes than a member's declared size, so checking the
declared sizes bounds what any reader built on it can unpack.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from casetrail.documents.extract._common import RATIO_FLOOR_BYTES
from casetrail.documents.extract.base import ExtractionFailed, Limits

_XML_SUFFIXES = (".xml", ".rels", ".vml")


def open_zip(path: Path, limits: Limits) -> zipfile.ZipFile:
    """Open ``path`` as a zip file after checking member count, sizes, ratio and encryption."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ExtractionFailed(
            f"The file is not a readable zip package because it is damaged ({exc})."
        ) from exc
    try:
        check_members(archive, path.stat().st_size, limits)
    except BaseException:
        archive.close()
        raise
    return archive


def check_members(archive: zipfile.ZipFile, packed_bytes: int, limits: Limits) -> None:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise ExtractionFailed(
            f"The zip file has {len(infos)} members, over the limit of {limits.max_members}."
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise ExtractionFailed("The zip file is protected by a password. Upload a copy without the password.")
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_unpacked_bytes:
        raise ExtractionFailed(
            f"The zip file would unpack to {declared} bytes, over the limit of "
            f"{limits.max_unpacked_bytes} bytes. It may be a decompression bomb."
        )
    ratio = declared / max(packed_bytes, 1)
    if declared > RATIO_FLOOR_BYTES and ratio > limits.max_ratio:
        raise ExtractionFailed(
            f"The zip file has a compression ratio of {ratio:.0f}, over the limit of "
            f"{limits.max_ratio:g}. It may be a decompression bomb."
        )


def is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def reject_xml_dtds(archive: zipfile.ZipFile) -> None:
    """Raise when any XML part of the package declares a DTD or entities.

    Office formats never need a DTD. Only the prolog is read: parsing stops at the root
    element, before which any DTD must appear.
    """
    for info in archive.infolist():
        if info.file_size == 0 or not info.filename.lower().endswith(_XML_SUFFIXES):
            continue
        with archive.open(info) as part:
            try:
                for _event in SafeET.iterparse(part, events=("start",), forbid_dtd=True):
                    break
            except DefusedXmlException as exc:
                raise ExtractionFailed(
                    f"The part {info.filename} declares a document type or entities, which are "
                    "rejected because entity expansion can exhaust memory."
                ) from exc
            except SafeET.ParseError:
                # Malformed or empty parts are left to the format's own reader, which
                # reports them if it needs the part. This scan only looks for DTDs.
                continue

"""OLE Package objects: a file embedded in an Office document with "Insert > Object".

Word, Excel and PowerPoint store such a file as an OLE container (``*/embeddings/oleObject*.bin``
in OOXML) whose ``\\x01Ole10Native`` stream wraps the original bytes. The embedded file becomes
the only child, named by the label the author saw, so an embedded Outlook message is ingested as
a message. The label and the path the file was inserted from go to ``meta["ole_package"]``.

Fields of the ``\\x01Ole10Native`` stream, in order, with integers little-endian:

- total size (uint32) and a flags word (uint16);
- the label and the source path, each an ANSI string ending in NUL;
- two uint16 words, not used here;
- the length of the temporary path (uint32) and that path;
- the length of the embedded data (uint32) and the data.
"""

from __future__ import annotations

import struct
from pathlib import Path, PureWindowsPath

import olefile

from casetrail.documents.extract._common import ChildWriter, check_input
from casetrail.documents.extract.base import Extraction, ExtractionFailed, Limits
from casetrail.documents.extract.detect import OLE_PACKAGE

NATIVE_STREAM = "\x01Ole10Native"
_INVALID = "The embedded object is damaged and cannot be unpacked"


class _Reader:
    """Sequential reader of an ``\\x01Ole10Native`` stream that checks every length against the data."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def uint(self, size: int) -> int:
        end = self.offset + size
        if end > len(self.data):
            raise ExtractionFailed(f"{_INVALID}: its native data ends at byte {len(self.data)}.")
        value = int.from_bytes(self.data[self.offset : end], "little")
        self.offset = end
        return value

    def ansi_string(self) -> str:
        end = self.data.find(b"\x00", self.offset)
        if end < 0:
            raise ExtractionFailed(f"{_INVALID}: a name in its native data has no end.")
        value = self.data[self.offset : end].decode("cp1252", "replace")
        self.offset = end + 1
        return value

    def block(self, size: int) -> bytes:
        end = self.offset + size
        if end > len(self.data):
            remaining = len(self.data) - self.offset
            raise ExtractionFailed(
                f"{_INVALID}: it declares {size} bytes of data but only {remaining} follow."
            )
        value = self.data[self.offset : end]
        self.offset = end
        return value


def extract_ole_package(path: Path, limits: Limits, workdir: Path) -> Extraction:
    size = check_input(path, limits)
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists(NATIVE_STREAM):
                raise ExtractionFailed(f"{_INVALID}: it has no Ole10Native stream.")
            with ole.openstream(NATIVE_STREAM) as stream:
                native = stream.read()
    except (OSError, ValueError, struct.error, IndexError) as exc:
        raise ExtractionFailed(f"{_INVALID} ({exc}).") from exc

    reader = _Reader(native)
    reader.uint(4)
    reader.uint(2)
    label = reader.ansi_string()
    source_path = reader.ansi_string()
    reader.uint(4)
    reader.block(reader.uint(4))
    data = reader.block(reader.uint(4))

    # The label is normally the file name. Fall back to the last part of the source path.
    name = label.strip() or PureWindowsPath(source_path).name or "embedded-file"
    writer = ChildWriter(workdir, limits, size)
    writer.add_bytes(name, data)
    return Extraction(
        media_type=OLE_PACKAGE,
        title=name,
        meta={"ole_package": {"label": label, "source_path": source_path}},
        children=writer.children,
    )

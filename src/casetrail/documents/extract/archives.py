"""Archives: zip, 7z, tar (plain or compressed), and single-file gzip, bzip2 and xz streams.

Every regular member becomes a child, and the one page lists the member names so that a
search finds the archive by them. Directories, links and device files are skipped.
Members are written under generated names inside ``workdir`` (see ``ChildWriter``), so a
member called ``../../etc/x`` lands inside ``workdir`` and keeps ``etc/x`` as its label.
Unpacked bytes are counted while copying and checked against ``Limits.max_unpacked_bytes``,
``Limits.max_ratio`` and ``Limits.max_members``. Encrypted zip and 7z archives are rejected.
Nested archives are returned as children. The pipeline unpacks them in turn and stops at
``Limits.max_depth``.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any

import py7zr
import py7zr.exceptions
import py7zr.io

from casetrail.documents.extract._common import ChildWriter, check_input
from casetrail.documents.extract._zipguard import is_symlink, open_zip
from casetrail.documents.extract.base import ExtractedPage, Extraction, ExtractionFailed, Limits


def extract_zip(path: Path, limits: Limits, workdir: Path) -> Extraction:
    size = check_input(path, limits)
    writer = ChildWriter(workdir, limits, size)
    with open_zip(path, limits) as archive:
        for info in archive.infolist():
            if info.is_dir() or is_symlink(info):
                continue
            try:
                with archive.open(info) as member:
                    writer.add_stream(info.filename, member)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise ExtractionFailed(
                    f"The zip member {info.filename!r} cannot be unpacked: {exc}."
                ) from exc
    return _archive_extraction("application/zip", "zip", writer)


def extract_7z(path: Path, limits: Limits, workdir: Path) -> Extraction:
    size = check_input(path, limits)
    writer = ChildWriter(workdir, limits, size)
    try:
        # Given a path, py7zr 1.1 unpacks in threads and leaks file handles. Given a file object,
        # it unpacks sequentially in this thread.
        with (
            path.open("rb") as handle,
            py7zr.SevenZipFile(handle, mode="r", max_extract_size=limits.max_unpacked_bytes) as archive,
        ):
            if archive.needs_password():
                raise ExtractionFailed(
                    "The 7z archive is protected by a password. Upload a copy without the password."
                )
            names = _7z_member_names(archive, limits)
            factory = _SevenZipChildFactory(writer)
            try:
                archive.extract(targets=names, factory=factory)
            finally:
                factory.release()
    except ExtractionFailed:
        raise
    except (
        py7zr.exceptions.Bad7zFile,
        py7zr.exceptions.ArchiveError,
        OSError,
        EOFError,
        ValueError,
        KeyError,
    ) as exc:
        raise ExtractionFailed(f"The 7z archive cannot be read because it is damaged ({exc}).") from exc
    except (py7zr.exceptions.UnsupportedCompressionMethodError, py7zr.exceptions.PasswordRequired) as exc:
        raise ExtractionFailed(f"The 7z archive cannot be unpacked: {exc}.") from exc
    return _archive_extraction("application/x-7z-compressed", "7z", writer)


def _7z_member_names(archive: py7zr.SevenZipFile, limits: Limits) -> list[str]:
    """Return the regular members, after checking the sizes the archive declares."""
    entries = [entry for entry in archive.list() if not entry.is_directory and not entry.is_symlink]
    declared = sum(entry.uncompressed or 0 for entry in entries)
    if declared > limits.max_unpacked_bytes:
        raise ExtractionFailed(
            f"The 7z archive would unpack to {declared} bytes, over the limit of "
            f"{limits.max_unpacked_bytes} bytes. It may be a decompression bomb."
        )
    return [entry.filename for entry in entries]


def extract_tar(path: Path, limits: Limits, workdir: Path) -> Extraction:
    """Unpack a tar file, compressed with gzip, bzip2 or xz or not at all."""
    size = check_input(path, limits)
    writer = ChildWriter(workdir, limits, size)
    try:
        with tarfile.open(path, mode="r:*") as archive:
            _copy_tar_members(archive, writer)
    except tarfile.TarError as exc:
        raise ExtractionFailed(f"The tar archive cannot be read because it is damaged ({exc}).") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise ExtractionFailed(
            f"The tar archive cannot be unpacked because it is damaged or truncated ({exc})."
        ) from exc
    return _archive_extraction("application/x-tar", "tar", writer)


def _copy_tar_members(archive: tarfile.TarFile, writer: ChildWriter) -> None:
    while (info := archive.next()) is not None:
        if not info.isfile():
            continue
        member = archive.extractfile(info)
        if member is not None:
            with member:
                writer.add_stream(info.name, member)


def extract_gzip(path: Path, limits: Limits, workdir: Path) -> Extraction:
    return _extract_compressed_stream(path, limits, workdir, "application/gzip", gzip.open)


def extract_bzip2(path: Path, limits: Limits, workdir: Path) -> Extraction:
    return _extract_compressed_stream(path, limits, workdir, "application/x-bzip2", bz2.open)


def extract_xz(path: Path, limits: Limits, workdir: Path) -> Extraction:
    return _extract_compressed_stream(path, limits, workdir, "application/x-xz", lzma.open)


def _extract_compressed_stream(
    path: Path, limits: Limits, workdir: Path, media_type: str, opener: Callable[..., Any]
) -> Extraction:
    """Unpack a compressed tar archive, or else the single compressed file, as children."""
    if _is_compressed_tar(path):
        extraction = extract_tar(path, limits, workdir)
        extraction.media_type = media_type
        extraction.meta["archive"]["format"] = f"tar+{media_type.rsplit('/', 1)[-1].removeprefix('x-')}"
        return extraction
    size = check_input(path, limits)
    writer = ChildWriter(workdir, limits, size)
    name = _stream_member_name(path, media_type)
    try:
        with opener(path, "rb") as stream:
            writer.add_stream(name, stream)
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
        raise ExtractionFailed(
            f"The compressed file cannot be unpacked because it is damaged or truncated ({exc})."
        ) from exc
    return _archive_extraction(media_type, media_type.rsplit("/", 1)[-1].removeprefix("x-"), writer)


def _is_compressed_tar(path: Path) -> bool:
    try:
        with tarfile.open(path, mode="r:*") as archive:
            return archive.next() is not None
    except (tarfile.TarError, OSError, EOFError, lzma.LZMAError, zlib.error):
        return False


def _stream_member_name(path: Path, media_type: str) -> str:
    """Return the original file name stored in a gzip header, or a neutral name."""
    if media_type == "application/gzip":
        with path.open("rb") as handle:
            header = handle.read(4096)
        # RFC 1952: flag bit 3 (FNAME) means a zero-terminated name follows the 10-byte
        # header, after an optional extra field (flag bit 2, FEXTRA).
        if len(header) > 10 and header[3] & 0x08:
            start = 10
            if header[3] & 0x04 and len(header) > 12:
                start += 2 + int.from_bytes(header[10:12], "little")
            end = header.find(b"\x00", start)
            if end > start:
                return PurePosixPath(header[start:end].decode("latin-1")).name
    return "content"


def _archive_extraction(media_type: str, archive_format: str, writer: ChildWriter) -> Extraction:
    listing = "\n".join(child.file_name for child in writer.children)
    return Extraction(
        media_type=media_type,
        pages=[ExtractedPage(1, listing)] if listing else [],
        meta={
            "archive": {
                "format": archive_format,
                "members": len(writer.children),
                "unpacked_bytes": writer.total_bytes,
            }
        },
        children=writer.children,
    )


class _SevenZipChildFile(py7zr.io.Py7zIO):
    """Writer for one 7z member: py7zr writes into it, and it counts the bytes into a child file."""

    def __init__(self, writer: ChildWriter, name: str) -> None:
        self._writer = writer
        self._name = name
        self._path = writer.new_path(name)
        self._handle: IO[bytes] = self._path.open("wb")
        self._size = 0

    def write(self, s: bytes | bytearray) -> int:
        self._writer.count(len(s))
        self._size += len(s)
        return self._handle.write(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._size

    def flush(self) -> None:
        self._handle.flush()

    def size(self) -> int:
        return self._size

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()
            self._writer.register(self._name, self._path)

    def release(self) -> None:
        if not self._handle.closed:
            self._handle.close()


class _SevenZipChildFactory(py7zr.io.WriterFactory):
    def __init__(self, writer: ChildWriter) -> None:
        self._writer = writer

        self._files: list[_SevenZipChildFile] = []

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        child = _SevenZipChildFile(self._writer, filename)
        self._files.append(child)
        return child

    def release(self) -> None:
        """Close files py7zr left open, which happens when a limit stops the unpacking."""
        for child in self._files:
            child.release()

"""Helpers shared by the extractors: input checks, external tools, child files, text decoding."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath
from typing import IO

from charset_normalizer import from_bytes

from casetrail.documents.extract.base import ExtractedChild, ExtractionFailed, Limits

_COPY_CHUNK_BYTES = 1024 * 1024
# Below this many unpacked bytes the ratio limit is not applied, because a container of a few
# hundred bytes holding a 50 kB text file is ordinary and cannot exhaust anything.
RATIO_FLOOR_BYTES = 1024 * 1024
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.\-]+")
_ENCODING_SAMPLE_BYTES = 1024 * 1024


def check_input(path: Path, limits: Limits) -> int:
    """Return the size of ``path`` in bytes, or raise when it is missing, empty or over the limit."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExtractionFailed(f"The file {path.name} cannot be read: {exc.strerror}.") from exc
    if size == 0:
        raise ExtractionFailed("The file is empty.")
    if size > limits.max_file_bytes:
        raise ExtractionFailed(
            f"The file is {size} bytes, over the limit of {limits.max_file_bytes} bytes for one file."
        )
    return size


def run_tool(args: list[str], limits: Limits, *, stdin: bytes | None = None) -> bytes:
    """Run an external program without a shell and return its standard output.

    Raises ``ExtractionFailed`` when the program is missing, times out or exits with an error.
    """
    tool = args[0]
    if shutil.which(tool) is None:
        raise ExtractionFailed(
            f"The program {tool} is not installed on the server. Ask an administrator to install it."
        )
    # One OCR thread per run: the worker runs several extractions in parallel already.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        result = subprocess.run(  # noqa: S603 (an argument list and no shell)
            args,
            input=stdin,
            capture_output=True,
            timeout=limits.tool_timeout_s,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractionFailed(f"{tool} timed out after {limits.tool_timeout_s:g} seconds.") from exc
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        last = detail[-1] if detail else f"exit status {result.returncode}"
        raise ExtractionFailed(f"{tool} failed: {last[:300]}")
    return result.stdout


def safe_member_name(name: str) -> str:
    """Return ``name`` as a relative POSIX path with no root, drive, ``.`` or ``..`` parts.

    ``../../etc/x`` becomes ``etc/x``. The result is only a label for the child, because files are
    always written under generated names (see ``ChildWriter``).
    """
    parts = PurePosixPath(name.replace("\\", "/")).parts
    kept = [part for part in parts if part not in ("", ".", "..", "/") and not part.endswith(":")]
    return "/".join(kept) or "unnamed"


class ChildWriter:
    """Writes child files under ``workdir`` while enforcing the archive limits.

    Every child gets a generated file name (a counter plus a cleaned base name), so a member
    name can never place a file outside ``workdir``. Bytes are counted while they are copied,
    so sizes declared in a container's headers are not trusted.
    """

    def __init__(self, workdir: Path, limits: Limits, packed_bytes: int) -> None:
        self.workdir = workdir
        self.limits = limits
        self.packed_bytes = max(packed_bytes, 1)
        self.total_bytes = 0
        self.children: list[ExtractedChild] = []
        self._issued_paths = 0
        workdir.mkdir(parents=True, exist_ok=True)

    def new_path(self, name: str) -> Path:
        if self._issued_paths >= self.limits.max_members:
            raise ExtractionFailed(
                f"The file contains more than {self.limits.max_members} embedded files, over the limit."
            )
        base = _UNSAFE_NAME_CHARS.sub("_", PurePosixPath(safe_member_name(name)).name)[-100:]
        self._issued_paths += 1
        return self.workdir / f"{self._issued_paths:05d}-{base or 'unnamed'}"

    def add_bytes(self, name: str, data: bytes, media_type: str = "") -> ExtractedChild:
        target = self.new_path(name)
        self.count(len(data))
        target.write_bytes(data)
        return self.register(name, target, media_type)

    def add_stream(self, name: str, source: IO[bytes], media_type: str = "") -> ExtractedChild:
        target = self.new_path(name)
        with target.open("wb") as out:
            while chunk := source.read(_COPY_CHUNK_BYTES):
                self.count(len(chunk))
                out.write(chunk)
        return self.register(name, target, media_type)

    def count(self, size: int) -> None:
        """Add ``size`` unpacked bytes and raise when a size or ratio limit is passed."""
        self.total_bytes += size
        if self.total_bytes > self.limits.max_unpacked_bytes:
            raise ExtractionFailed(
                f"Unpacking stopped at {self.total_bytes} bytes, over the limit of "
                f"{self.limits.max_unpacked_bytes} bytes. The file may be a decompression bomb."
            )
        ratio = self.total_bytes / self.packed_bytes
        if self.total_bytes > RATIO_FLOOR_BYTES and ratio > self.limits.max_ratio:
            raise ExtractionFailed(
                f"Unpacking stopped at a compression ratio of {ratio:.0f}, over the limit of "
                f"{self.limits.max_ratio:g}. The file may be a decompression bomb."
            )

    def register(self, name: str, target: Path, media_type: str = "") -> ExtractedChild:
        """Record a file already written at a path from ``new_path``."""
        child = ExtractedChild(file_name=safe_member_name(name), path=target, declared_media_type=media_type)
        self.children.append(child)
        return child


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``.

    A declared charset is used when the bytes decode with it cleanly. Otherwise the encoding
    is detected from the first megabyte with charset-normalizer. Undecodable bytes become U+FFFD.
    """
    if declared:
        try:
            return data.decode(declared), declared.lower()
        except (LookupError, UnicodeDecodeError):
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:_ENCODING_SAMPLE_BYTES]).best()
    encoding = best.encoding if best is not None else "latin-1"
    return data.decode(encoding, "replace"), encoding

"""The blob store: content-addressed by the SHA-256 of the plaintext, sealed at rest.

``BlobStore`` is what the rest of Casetrail uses. ``SealedBlobStore`` implements it on top of
an ``ObjectBackend``, which only keeps opaque files under a key (``LocalDirectory``,
``S3Bucket``), so every backend gets the same encryption, hashing and checks.

A blob is written to a temporary file first and moved into place only when complete, so a
reader never sees half a blob. Storing content that is already there keeps the existing copy.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from casetrail.blobs.keys import Keyring
from casetrail.blobs.media import detect_media_type
from casetrail.blobs.sealed import DEFAULT_CHUNK_SIZE, open_stream, seal_stream
from casetrail.core.errors import IntegrityFailed, ValidationFailed
from casetrail.core.logging import get_logger

log = get_logger(__name__)

SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    media_type: str
    created: bool
    """False when the same content was already stored and the new copy was dropped."""


@dataclass(frozen=True)
class BlobCheck:
    sha256: str
    size: int


class BlobStore(Protocol):
    backend: str

    def put(self, source: BinaryIO) -> StoredBlob:
        """Store the stream's content and return its address, size and media type."""
        ...

    def read(self, sha256: str) -> Iterator[bytes]:
        """Yield the plaintext in chunks; raise ``IntegrityFailed`` at the end on a hash mismatch."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def verify(self, sha256: str) -> BlobCheck:
        """Read the whole blob, checking every chunk and the plaintext hash."""
        ...


class ObjectBackend(Protocol):
    """Opaque files under keys of the form ``ab/cd/<sha256>``, stored as given (no encryption)."""

    name: str

    def exists(self, key: str) -> bool: ...

    def reader(self, key: str) -> AbstractContextManager[BinaryIO]:
        """Open the stored file for reading; raise ``NotFound`` when it is missing."""
        ...

    def store_file(self, path: Path, key: str) -> bool:
        """Move a complete local file under ``key``; return False when ``key`` already existed."""
        ...

    def spool_dir(self) -> Path:
        """Folder for temporary files, on the same file system as the store where that matters."""
        ...


def object_key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def check_address(sha256: str) -> str:
    if not SHA256_PATTERN.match(sha256):
        raise ValidationFailed(f"invalid blob address {sha256!r}", {"sha256": "64 lowercase hex digits"})
    return sha256


class SealedBlobStore:
    """Encrypts on the way in, decrypts and checks on the way out, over any ``ObjectBackend``."""

    def __init__(
        self, objects: ObjectBackend, keyring: Keyring, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> None:
        self.objects = objects
        self.keyring = keyring
        self.chunk_size = chunk_size
        self.backend = objects.name

    def put(self, source: BinaryIO) -> StoredBlob:
        spool = self.objects.spool_dir()
        spool.mkdir(parents=True, exist_ok=True)
        descriptor, temp_name = tempfile.mkstemp(prefix="upload-", suffix=".sealed", dir=spool)
        temp_path = Path(temp_name)
        try:
            with os.fdopen(descriptor, "wb") as sink:
                result = seal_stream(source, sink, self.keyring.current, self.chunk_size)
                sink.flush()
                os.fsync(sink.fileno())
            created = self.objects.store_file(temp_path, object_key(result.sha256))
        finally:
            temp_path.unlink(missing_ok=True)
        log.info(
            "blob_stored",
            sha256=result.sha256,
            size=result.size,
            created=created,
            key_id=self.keyring.current.key_id,
            backend=self.backend,
        )
        return StoredBlob(result.sha256, result.size, detect_media_type(result.head), created)

    def read(self, sha256: str) -> Iterator[bytes]:
        check_address(sha256)
        digest = hashlib.sha256()
        with self.objects.reader(object_key(sha256)) as raw:
            for chunk in self._authenticated_chunks(raw, sha256):
                digest.update(chunk)
                yield chunk
        if digest.hexdigest() != sha256:
            log.error("blob_hash_mismatch", sha256=sha256, backend=self.backend)
            raise IntegrityFailed(
                f"blob {sha256} does not match its address: its content hashes to {digest.hexdigest()}"
            )

    def _authenticated_chunks(self, raw: BinaryIO, sha256: str) -> Iterator[bytes]:
        try:
            yield from open_stream(raw, self.keyring, sha256)
        except IntegrityFailed:
            log.error("blob_authentication_failed", sha256=sha256, backend=self.backend)
            raise

    def exists(self, sha256: str) -> bool:
        return self.objects.exists(object_key(check_address(sha256)))

    def verify(self, sha256: str) -> BlobCheck:
        size = 0
        for chunk in self.read(sha256):
            size += len(chunk)
        return BlobCheck(sha256=sha256, size=size)

"""The sealed blob format: AES-256-GCM in chunks, each authenticated before it is released.

Layout of a sealed file (integers big-endian)::

    header  magic "CTBLOB" | version u8 = 1 | chunk size u32 | key id length u8 | key id (ASCII)
            | wrapped data key length u8 | wrapped data key | nonce prefix (7 bytes)
    chunks  ciphertext of each plaintext chunk followed by its 16-byte GCM tag

Every blob gets a random 256-bit data key, wrapped with the master key by AES key wrap
(RFC 3394). Chunk ``i`` is sealed under the 96-bit nonce ``prefix || i (u32) || final flag (u8)``
with the whole header as associated data, the chunked construction known as STREAM (Hoang,
Reyhanitabar, Rogaway and Vizár, 2015). So a chunk moved to another position, a chunk from
another blob, a changed header, a file cut after any chunk and bytes appended after the final
chunk all fail authentication. Every chunk contains ``chunk size`` plaintext bytes except the
last, which contains 0 to ``chunk size`` bytes; an empty blob is one empty final chunk.
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from casetrail.blobs.keys import Keyring, MasterKey
from casetrail.core.errors import IntegrityFailed

MAGIC = b"CTBLOB"
FORMAT_VERSION = 1
TAG_BYTES = 16
NONCE_PREFIX_BYTES = 7
DEFAULT_CHUNK_SIZE = 1024 * 1024
SNIFF_BYTES = 8192
_MAX_CHUNKS = 2**32
# A header naming a larger chunk size is rejected so a damaged file cannot force a huge read.
MAX_CHUNK_SIZE = 64 * 1024 * 1024
_FIXED = struct.Struct(">6sBIB")


@dataclass(frozen=True)
class Header:
    chunk_size: int
    key_id: str
    wrapped_key: bytes = field(repr=False)
    nonce_prefix: bytes

    def encode(self) -> bytes:
        key_id = self.key_id.encode("ascii")
        return (
            _FIXED.pack(MAGIC, FORMAT_VERSION, self.chunk_size, len(key_id))
            + key_id
            + bytes([len(self.wrapped_key)])
            + self.wrapped_key
            + self.nonce_prefix
        )


@dataclass(frozen=True)
class SealResult:
    sha256: str
    size: int
    head: bytes
    """The first plaintext bytes (up to ``SNIFF_BYTES``), for media type detection."""


def chunk_nonce(prefix: bytes, counter: int, final: bool) -> bytes:
    if counter >= _MAX_CHUNKS:
        raise ValueError(f"file too large: a sealed blob has at most {_MAX_CHUNKS} chunks")
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if final else b"\x00")


def read_full(source: BinaryIO, size: int) -> bytes:
    """Read ``size`` bytes, or fewer only at the end of the stream (streams may return short reads)."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        part = source.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def seal_stream(source: BinaryIO, sink: BinaryIO, master: MasterKey, chunk_size: int) -> SealResult:
    """Encrypt ``source`` into ``sink``, hashing the plaintext on the way.

    One chunk is held back until the next read shows whether it is the last, so that the final
    flag is right when the size is an exact multiple of ``chunk_size``.
    """
    data_key = AESGCM.generate_key(bit_length=256)
    header = Header(
        chunk_size=chunk_size,
        key_id=master.key_id,
        wrapped_key=aes_key_wrap(master.secret, data_key),
        nonce_prefix=secrets.token_bytes(NONCE_PREFIX_BYTES),
    )
    header_bytes = header.encode()
    sink.write(header_bytes)
    cipher = AESGCM(data_key)
    digest = hashlib.sha256()
    size = 0
    counter = 0

    pending = read_full(source, chunk_size)
    head = pending[:SNIFF_BYTES]
    while True:
        digest.update(pending)
        size += len(pending)
        following = read_full(source, chunk_size) if len(pending) == chunk_size else b""
        final = not following
        nonce = chunk_nonce(header.nonce_prefix, counter, final)
        sink.write(cipher.encrypt(nonce, pending, header_bytes))
        if final:
            break
        pending = following
        counter += 1
    return SealResult(sha256=digest.hexdigest(), size=size, head=head)


def read_header(raw: BinaryIO, blob_name: str) -> tuple[Header, bytes]:
    """Parse the header at the start of ``raw``; return it and its exact bytes."""
    fixed = read_full(raw, _FIXED.size)
    if len(fixed) < _FIXED.size:
        raise IntegrityFailed(f"blob {blob_name} is truncated: its header is incomplete")
    magic, version, chunk_size, key_id_length = _FIXED.unpack(fixed)
    if magic != MAGIC:
        raise IntegrityFailed(f"blob {blob_name} is not a sealed Casetrail blob (bad magic bytes)")
    if version != FORMAT_VERSION:
        raise IntegrityFailed(f"blob {blob_name} has unknown format version {version}")
    key_id_bytes = read_full(raw, key_id_length)
    wrapped_length = read_full(raw, 1)
    if len(key_id_bytes) < key_id_length or not wrapped_length:
        raise IntegrityFailed(f"blob {blob_name} is truncated: its header is incomplete")
    wrapped_key = read_full(raw, wrapped_length[0])
    nonce_prefix = read_full(raw, NONCE_PREFIX_BYTES)
    if len(wrapped_key) < wrapped_length[0] or len(nonce_prefix) < NONCE_PREFIX_BYTES:
        raise IntegrityFailed(f"blob {blob_name} is truncated: its header is incomplete")
    if not 0 < chunk_size <= MAX_CHUNK_SIZE:
        raise IntegrityFailed(f"blob {blob_name} names an invalid chunk size {chunk_size}")
    header = Header(
        chunk_size=chunk_size,
        key_id=key_id_bytes.decode("ascii", errors="replace"),
        wrapped_key=wrapped_key,
        nonce_prefix=nonce_prefix,
    )
    return header, fixed + key_id_bytes + wrapped_length + wrapped_key + nonce_prefix


def open_stream(raw: BinaryIO, keyring: Keyring, blob_name: str) -> Iterator[bytes]:
    """Yield the plaintext chunks of a sealed blob, each only after its tag verified.

    Raises ``IntegrityFailed`` naming ``blob_name`` on a failed tag, a missing final chunk or
    bytes after it. The caller checks the plaintext hash.
    """
    header, header_bytes = read_header(raw, blob_name)
    try:
        data_key = aes_key_unwrap(keyring.secret_for(header.key_id, blob_name), header.wrapped_key)
    except InvalidUnwrap:
        raise IntegrityFailed(
            f"blob {blob_name}: the data key does not unwrap under master key {header.key_id!r}"
        ) from None
    cipher = AESGCM(data_key)
    sealed_size = header.chunk_size + TAG_BYTES
    counter = 0
    current = read_full(raw, sealed_size)
    while True:
        following = read_full(raw, sealed_size) if len(current) == sealed_size else b""
        final = not following
        if len(current) < TAG_BYTES:
            raise IntegrityFailed(f"blob {blob_name} is truncated after chunk {counter}")
        try:
            plaintext = cipher.decrypt(
                chunk_nonce(header.nonce_prefix, counter, final), current, header_bytes
            )
        except InvalidTag:
            raise IntegrityFailed(
                f"blob {blob_name} failed authentication at chunk {counter}: "
                "it was changed, truncated or reordered"
            ) from None
        yield plaintext
        if final:
            return
        current = following
        counter += 1

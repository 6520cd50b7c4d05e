"""Blob store behaviour, run against every backend: a local directory and an S3 server."""

from __future__ import annotations

import hashlib
import io
import os
import struct

import pytest

from casetrail.blobs.keys import Keyring, MasterKey
from casetrail.blobs.sealed import MAGIC, NONCE_PREFIX_BYTES, TAG_BYTES
from casetrail.blobs.store import SealedBlobStore
from casetrail.core.errors import CasetrailError, IntegrityFailed, NotFound, ValidationFailed
from tests.blobs.conftest import TEST_CHUNK_SIZE, StoreUnderTest
from tests.support.streams import PatternStream, pattern_sha256

PNG_HEAD = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def _read_all(store: SealedBlobStore, sha256: str) -> bytes:
    return b"".join(store.read(sha256))


def _header_length(sealed: bytes) -> int:
    key_id_length = sealed[len(MAGIC) + 5]
    wrapped_at = len(MAGIC) + 6 + key_id_length
    return wrapped_at + 1 + sealed[wrapped_at] + NONCE_PREFIX_BYTES


@pytest.mark.parametrize(
    "size",
    [
        pytest.param(0, id="empty"),
        pytest.param(1, id="one-byte"),
        pytest.param(TEST_CHUNK_SIZE - 1, id="chunk-minus-one"),
        pytest.param(TEST_CHUNK_SIZE, id="one-chunk-exactly"),
        pytest.param(TEST_CHUNK_SIZE * 4, id="four-chunks-exactly"),
        pytest.param(TEST_CHUNK_SIZE * 5 + 123, id="five-chunks-and-a-bit"),
    ],
)
def test_round_trip_byte_for_byte(store: SealedBlobStore, size: int) -> None:
    data = os.urandom(size)
    stored = store.put(io.BytesIO(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == size
    assert _read_all(store, stored.sha256) == data


def test_round_trip_with_default_chunk_size(under_test: StoreUnderTest) -> None:
    store = under_test.store(chunk_size=1024 * 1024)
    size = 3 * 1024 * 1024 + 17
    stored = store.put(PatternStream(size))
    assert stored.sha256 == pattern_sha256(size)
    digest = hashlib.sha256()
    for chunk in store.read(stored.sha256):
        digest.update(chunk)
    assert digest.hexdigest() == stored.sha256


def test_read_yields_chunks_not_whole_file(store: SealedBlobStore) -> None:
    stored = store.put(PatternStream(TEST_CHUNK_SIZE * 3))
    sizes = [len(chunk) for chunk in store.read(stored.sha256)]
    assert sizes == [TEST_CHUNK_SIZE] * 3


def test_same_content_stored_once(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    data = os.urandom(5000)
    first = store.put(io.BytesIO(data))
    second = store.put(io.BytesIO(data))
    assert first.created
    assert not second.created
    assert second.sha256 == first.sha256
    assert under_test.raw.count() == 1


def test_temporary_files_removed(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    store.put(io.BytesIO(b"some evidence"))
    store.put(io.BytesIO(b"some evidence"))
    spool = under_test.objects.spool_dir()
    assert list(spool.iterdir()) == []


class _FailingStream(io.RawIOBase):
    def __init__(self, fail_after: int) -> None:
        self.left = fail_after

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.left <= 0:
            raise OSError("connection reset by peer")
        count = min(len(buffer), self.left)
        buffer[:count] = b"x" * count
        self.left -= count
        return count


def test_failed_upload_leaves_nothing(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    with pytest.raises(OSError, match="connection reset"):
        store.put(_FailingStream(TEST_CHUNK_SIZE * 2 + 10))
    assert under_test.raw.count() == 0
    assert list(under_test.objects.spool_dir().iterdir()) == []


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(PNG_HEAD, "image/png", id="png"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", id="pdf"),
        pytest.param(b"Zeugenaussage, Seite 1\n", "text/plain", id="text"),
        pytest.param(b"\x00\x01\x02\x03\xff\xfe", "application/octet-stream", id="binary"),
        pytest.param(b"", "application/octet-stream", id="empty"),
    ],
)
def test_media_type_from_content(store: SealedBlobStore, head: bytes, expected: str) -> None:
    assert store.put(io.BytesIO(head)).media_type == expected


def test_stored_object_holds_no_plaintext(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    marker = b"WITNESS-STATEMENT-MARKER-" * 100
    stored = store.put(io.BytesIO(marker))
    sealed = under_test.raw.read(stored.sha256)
    assert sealed.startswith(MAGIC)
    assert b"WITNESS-STATEMENT" not in sealed
    assert b"test-key" in sealed[:64]


def test_changed_byte_is_caught(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    stored = store.put(io.BytesIO(os.urandom(TEST_CHUNK_SIZE * 2)))
    sealed = bytearray(under_test.raw.read(stored.sha256))
    sealed[-TEST_CHUNK_SIZE // 2] ^= 0x01
    under_test.raw.write(stored.sha256, bytes(sealed))
    with pytest.raises(IntegrityFailed, match=stored.sha256):
        _read_all(store, stored.sha256)


def test_changed_header_is_caught(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    stored = store.put(io.BytesIO(b"short"))
    sealed = bytearray(under_test.raw.read(stored.sha256))
    sealed[_header_length(bytes(sealed)) - 1] ^= 0x80  # last byte of the nonce prefix
    under_test.raw.write(stored.sha256, bytes(sealed))
    with pytest.raises(IntegrityFailed, match="failed authentication"):
        _read_all(store, stored.sha256)


def test_truncated_blob_is_caught(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    stored = store.put(io.BytesIO(os.urandom(TEST_CHUNK_SIZE * 2 + 50)))
    sealed = under_test.raw.read(stored.sha256)
    under_test.raw.write(stored.sha256, sealed[:-20])
    with pytest.raises(IntegrityFailed, match=stored.sha256):
        _read_all(store, stored.sha256)


def test_blob_cut_at_chunk_boundary_is_caught(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    stored = store.put(io.BytesIO(os.urandom(TEST_CHUNK_SIZE * 2 + 50)))
    sealed = under_test.raw.read(stored.sha256)
    under_test.raw.write(stored.sha256, sealed[: -(50 + TAG_BYTES)])
    with pytest.raises(IntegrityFailed, match="failed authentication at chunk 1"):
        _read_all(store, stored.sha256)


def test_appended_bytes_are_caught(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    stored = store.put(io.BytesIO(os.urandom(TEST_CHUNK_SIZE)))
    sealed = under_test.raw.read(stored.sha256)
    under_test.raw.write(stored.sha256, sealed + b"\x00" * (TEST_CHUNK_SIZE + TAG_BYTES))
    with pytest.raises(IntegrityFailed, match=stored.sha256):
        _read_all(store, stored.sha256)


def test_reordered_chunks_are_caught(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    stored = store.put(io.BytesIO(os.urandom(TEST_CHUNK_SIZE * 3)))
    sealed = under_test.raw.read(stored.sha256)
    start = _header_length(sealed)
    step = TEST_CHUNK_SIZE + TAG_BYTES
    first, second = sealed[start : start + step], sealed[start + step : start + 2 * step]
    under_test.raw.write(stored.sha256, sealed[:start] + second + first + sealed[start + 2 * step :])
    with pytest.raises(IntegrityFailed, match="at chunk 0"):
        _read_all(store, stored.sha256)


def test_object_under_wrong_address_is_caught(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    kept = store.put(io.BytesIO(b"the real content"))
    other = store.put(io.BytesIO(b"other content, sealed correctly"))
    under_test.raw.write(kept.sha256, under_test.raw.read(other.sha256))
    with pytest.raises(IntegrityFailed, match="does not match its address"):
        store.verify(kept.sha256)


def test_verify_returns_size(store: SealedBlobStore) -> None:
    stored = store.put(io.BytesIO(os.urandom(TEST_CHUNK_SIZE + 7)))
    assert store.verify(stored.sha256).size == TEST_CHUNK_SIZE + 7


def test_missing_blob_is_not_found(store: SealedBlobStore) -> None:
    absent = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(absent)
    with pytest.raises(NotFound, match=absent):
        _read_all(store, absent)


def test_invalid_address_rejected(store: SealedBlobStore) -> None:
    with pytest.raises(ValidationFailed, match="invalid blob address"):
        _read_all(store, "../../etc/passwd")


def test_other_master_key_cannot_open(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    stored = store.put(io.BytesIO(b"sealed under the first key"))
    impostor = under_test.store(Keyring(MasterKey("test-key", os.urandom(32))))
    with pytest.raises(IntegrityFailed, match="does not unwrap"):
        _read_all(impostor, stored.sha256)


def test_retired_key_still_opens_old_blobs(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    old = store.put(io.BytesIO(b"sealed before the rotation"))
    rotated = Keyring(
        current=MasterKey("test-key-2", os.urandom(32)),
        retired={"test-key": under_test.keyring.current.secret},
    )
    new_store = under_test.store(rotated)
    new = new_store.put(io.BytesIO(b"sealed after the rotation"))
    assert _read_all(new_store, old.sha256) == b"sealed before the rotation"
    assert _read_all(new_store, new.sha256) == b"sealed after the rotation"


def test_unknown_key_id_names_setting(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    stored = store.put(io.BytesIO(b"sealed under test-key"))
    forgetful = under_test.store(Keyring(MasterKey("test-key-2", os.urandom(32))))
    with pytest.raises(CasetrailError, match="CASETRAIL_BLOBS__RETIRED_MASTER_KEYS"):
        _read_all(forgetful, stored.sha256)


def test_header_records_chunk_size(under_test: StoreUnderTest, store: SealedBlobStore) -> None:
    stored = store.put(io.BytesIO(os.urandom(10)))
    sealed = under_test.raw.read(stored.sha256)
    (chunk_size,) = struct.unpack(">I", sealed[len(MAGIC) + 1 : len(MAGIC) + 5])
    assert chunk_size == TEST_CHUNK_SIZE
    reader = under_test.store(chunk_size=1024 * 1024)
    assert _read_all(reader, stored.sha256) == _read_all(store, stored.sha256)

"""Master keys: created once by `casetrail init`, read from settings, never guessed."""

from __future__ import annotations

import base64
import json
import os
import stat
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import SecretStr

from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key, load_keyring, write_secret_file
from casetrail.core.errors import CasetrailError
from casetrail.core.settings import BlobSettings, Settings
from tests.support.streams import PatternStream, pattern_sha256


def _settings(tmp_path: Path, **blobs: object) -> Settings:
    return Settings(data_dir=tmp_path / "var", blobs=BlobSettings(**blobs))  # type: ignore[arg-type]


def test_init_creates_private_key_file(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    key_id = ensure_master_key(settings)
    path = tmp_path / "var" / "keys" / "master.key"
    assert key_id == "master-1"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(base64.b64decode(json.loads(path.read_text())["key"])) == 32


def test_init_keeps_existing_key(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ensure_master_key(settings)
    first = load_keyring(settings).current.secret
    ensure_master_key(settings)
    assert load_keyring(settings).current.secret == first


def test_concurrent_creation_keeps_one_complete_file(tmp_path: Path) -> None:
    # Readers that lose the race read the file at once; they must never see it empty.
    path = tmp_path / "keys" / "shared.key"

    def create_then_read(index: int) -> tuple[bool, bytes]:
        created = write_secret_file(path, f"content-{index:02d}".encode())
        return created, path.read_bytes()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(create_then_read, range(32)))

    assert sum(created for created, _ in results) == 1
    assert {content for _, content in results} == {path.read_bytes()}
    assert path.read_bytes().startswith(b"content-")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [entry.name for entry in path.parent.iterdir()] == ["shared.key"]


def test_configured_key_wins_and_no_file_written(tmp_path: Path) -> None:
    secret = os.urandom(32)
    settings = _settings(
        tmp_path, master_key=SecretStr(base64.b64encode(secret).decode()), master_key_id="agency-2026"
    )
    assert ensure_master_key(settings) == "agency-2026"
    assert load_keyring(settings).current.secret == secret
    assert not (tmp_path / "var" / "keys").exists()


def test_missing_key_names_the_remedy(tmp_path: Path) -> None:
    with pytest.raises(CasetrailError, match="casetrail init"):
        load_keyring(_settings(tmp_path))


def test_short_key_rejected(tmp_path: Path) -> None:
    settings = _settings(tmp_path, master_key=SecretStr(base64.b64encode(b"short").decode()))
    with pytest.raises(CasetrailError, match="decodes to 5 bytes"):
        load_keyring(settings)


def test_invalid_base64_rejected(tmp_path: Path) -> None:
    ensure_master_key(_settings(tmp_path))
    settings = _settings(tmp_path, retired_master_keys={"old": SecretStr("not base64!")})
    with pytest.raises(CasetrailError, match=r"RETIRED_MASTER_KEYS\[old\] is not valid base64"):
        load_keyring(settings)


def test_key_never_in_repr(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ensure_master_key(settings)
    keyring = load_keyring(settings)
    assert base64.b64encode(keyring.current.secret).decode() not in repr(keyring)
    assert repr(keyring.current.secret) not in repr(keyring)


def test_factory_builds_local_store(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ensure_master_key(settings)
    store = blob_store(settings)
    stored = store.put(PatternStream(1000))
    assert store.backend == "local"
    assert (tmp_path / "var" / "blobs" / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256).is_file()


def test_streaming_keeps_memory_flat(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ensure_master_key(settings)
    store = blob_store(settings)
    size = 48 * 1024 * 1024
    tracemalloc.start()
    try:
        stored = store.put(PatternStream(size))
        read_back = sum(len(chunk) for chunk in store.read(stored.sha256))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.sha256 == pattern_sha256(size)
    assert read_back == size
    # A 1 MiB chunk is held in a few copies (plaintext, ciphertext, look-ahead); never the file.
    assert peak < 12 * 1024 * 1024

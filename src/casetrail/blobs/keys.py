"""Master keys that wrap the per-blob data keys.

The current key comes from ``CASETRAIL_BLOBS__MASTER_KEY`` or, when that is unset, from
``DATA_DIR/keys/master.key`` (JSON with ``key_id`` and ``key``, mode 0600), which
``ensure_master_key`` creates. Retired keys stay configured so that blobs sealed under them
can still be read. Key material is never logged; the key id is.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from casetrail.core.errors import CasetrailError
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings

log = get_logger(__name__)

KEY_BYTES = 32
MASTER_KEY_FILE = "master.key"
_KEY_ID_HELP = "set CASETRAIL_BLOBS__MASTER_KEY (base64 of 32 bytes) or run `casetrail init`"


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    secret: bytes = field(repr=False)


@dataclass(frozen=True)
class Keyring:
    """The key that seals new blobs and every key that may still open old ones."""

    current: MasterKey
    retired: Mapping[str, bytes] = field(default_factory=dict, repr=False)

    def secret_for(self, key_id: str, blob_name: str) -> bytes:
        if key_id == self.current.key_id:
            return self.current.secret
        secret = self.retired.get(key_id)
        if secret is None:
            raise CasetrailError(
                f"blob {blob_name} is sealed under master key {key_id!r}, which is not configured: "
                "add it to CASETRAIL_BLOBS__RETIRED_MASTER_KEYS"
            )
        return secret


def keys_dir(settings: Settings) -> Path:
    return settings.data_dir / "keys"


def decode_key(value: str, name: str) -> bytes:
    """Decode a base64 key of exactly 32 bytes; ``name`` is where the value came from, for messages."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise CasetrailError(f"{name} is not valid base64: give base64 of {KEY_BYTES} random bytes") from None
    if len(raw) != KEY_BYTES:
        raise CasetrailError(f"{name} decodes to {len(raw)} bytes; it must be {KEY_BYTES} bytes")
    return raw


def write_secret_file(path: Path, content: bytes) -> bool:
    """Create ``path`` with mode 0600 unless it exists; return True when this call created it.

    The content is written to a private temporary file first and then hard-linked to ``path``.
    ``link`` fails when ``path`` exists, so two processes starting at once keep one key, and a
    reader never sees the file before its content is complete.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        return False
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
    finally:
        os.unlink(temporary)
    return True


def ensure_master_key(settings: Settings) -> str:
    """Make sure a master key exists and return its id; ``casetrail init`` calls this.

    With ``CASETRAIL_BLOBS__MASTER_KEY`` set nothing is written. Otherwise the key file is
    created once with a fresh random key and reused on later calls.
    """
    if settings.blobs.master_key is not None:
        return load_keyring(settings).current.key_id
    path = keys_dir(settings) / MASTER_KEY_FILE
    encoded = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")
    content = json.dumps({"key_id": settings.blobs.master_key_id, "key": encoded}).encode("utf-8")
    if write_secret_file(path, content):
        log.info("blob_master_key_created", key_id=settings.blobs.master_key_id)
    return load_keyring(settings).current.key_id


def _key_from_file(path: Path) -> MasterKey:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        key_id = str(document["key_id"])
        encoded = str(document["key"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CasetrailError(f"master key file {path} is unreadable ({error}); {_KEY_ID_HELP}") from None
    return MasterKey(key_id=key_id, secret=decode_key(encoded, f"the key in {path}"))


def load_keyring(settings: Settings) -> Keyring:
    """Return the configured keys; raise when no master key is configured or created yet."""
    blob_settings = settings.blobs
    if blob_settings.master_key is not None:
        current = MasterKey(
            key_id=blob_settings.master_key_id,
            secret=decode_key(blob_settings.master_key.get_secret_value(), "CASETRAIL_BLOBS__MASTER_KEY"),
        )
    else:
        path = keys_dir(settings) / MASTER_KEY_FILE
        if not path.exists():
            raise CasetrailError(f"no master key for evidence files: {path} is missing; {_KEY_ID_HELP}")
        current = _key_from_file(path)
    retired = {
        key_id: decode_key(value.get_secret_value(), f"CASETRAIL_BLOBS__RETIRED_MASTER_KEYS[{key_id}]")
        for key_id, value in blob_settings.retired_master_keys.items()
    }
    return Keyring(current=current, retired=retired)

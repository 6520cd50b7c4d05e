"""Hashing of audit records.

hash(n) = SHA-256( prev_hash(n) || "\\n" || canonical_json(fields(n)) ), prev_hash(1) = 64 zeros.
Canonical JSON sorts keys, has no insignificant whitespace and keeps non-ASCII characters, so an
auditor can recompute a hash with any JSON library.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_json(fields).encode("utf-8"))
    return digest.hexdigest()

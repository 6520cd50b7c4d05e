"""Receipt codes: what a tipster keeps to add information to a tip later, without an account.

A code is 20 random bytes (160 bits) in RFC 4648 base32, written as eight groups of four
characters, e.g. ``K7QD-2MZX-...``. Only its SHA-256 is stored. Brute force is hopeless at 160
bits, and look-ups are rate-limited per client address on top. Typing is forgiving: case,
spaces and dashes are ignored, and 0, 1 and 8, which base32 does not use, are read as O, I
and B.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

RECEIPT_BYTES = 20
GROUP = 4
_TYPO_FIXES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def new_receipt_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(RECEIPT_BYTES)).decode("ascii")
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def canonical_code(typed: str) -> str | None:
    """Return the code without separators in upper case, or None when it cannot be a code."""
    compact = "".join(char for char in typed.upper() if char not in " -\t\r\n").translate(_TYPO_FIXES)
    expected_length = len(base64.b32encode(bytes(RECEIPT_BYTES)))
    if len(compact) != expected_length or not set(compact) <= _ALPHABET:
        return None
    return compact


def receipt_hash(code: str) -> str:
    """Return the stored form of a receipt code: SHA-256 of its canonical form, in hex."""
    canonical = canonical_code(code)
    if canonical is None:
        raise ValueError("not a receipt code")
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def hashes_match(stored: str, candidate: str) -> bool:
    return hmac.compare_digest(stored.encode("ascii"), candidate.encode("ascii"))

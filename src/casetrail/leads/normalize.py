"""Normalising what leads say, so that the same phone, e-mail, name or place matches exactly.

- Phones: E.164 through ``phonenumbers``; numbers without a country code need
  ``CASETRAIL_LEADS__PHONE_REGION``.
- E-mails: lower case, trimmed; only addresses of the form local@domain.tld.
- Names: letters and digits only (``normality``), words sorted, so "SMITH, John" equals
  "john smith".
- Places: like names but in written order, with common street abbreviations spelled out.
- Text: word 3-shingles of the normalised text. Two texts are near-identical when the Jaccard
  similarity of their shingle sets reaches the threshold. To find candidates without comparing
  against every lead, each text also gets MinHash band keys (16 bands of 4 rows); two texts
  with Jaccard similarity s share at least one band with probability 1 - (1 - s^4)^16: about
  0.99 at s = 0.7, 0.64 at s = 0.5 and 0.03 at s = 0.2. So a pair just at the default threshold
  of 0.7 is missed about once in a hundred; more similar pairs almost never.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import phonenumbers
from normality import normalize

SHINGLE_WORDS = 3
MINHASH_BANDS = 16
MINHASH_ROWS = 4
MAX_KEY_LENGTH = 300

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PLACE_WORDS = {
    "st": "street",
    "str": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "blvd": "boulevard",
    "ln": "lane",
    "dr": "drive",
    "sq": "square",
    "pl": "place",
}
# A Mersenne prime larger than any 61-bit hash, for the universal hash family of MinHash.
_PRIME = (1 << 61) - 1
_SEEDS = [
    (
        int.from_bytes(hashlib.sha256(f"a{i}".encode()).digest()[:8], "big") % (_PRIME - 1) + 1,
        int.from_bytes(hashlib.sha256(f"b{i}".encode()).digest()[:8], "big") % _PRIME,
    )
    for i in range(MINHASH_BANDS * MINHASH_ROWS)
]


def phone_key(value: str, region: str | None) -> str | None:
    """Return ``value`` as E.164 (``+15550100``), or None when it is not a valid number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phones_in_text(text: str, region: str | None) -> set[str]:
    """Return every phone number written in ``text``, as E.164."""
    found: set[str] = set()
    # Without a region, the matcher finds only numbers written with a leading +.
    for match in phonenumbers.PhoneNumberMatcher(
        text, region or "ZZ", leniency=phonenumbers.Leniency.POSSIBLE
    ):
        found.add(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
    return found


def phone_spans(text: str, region: str | None) -> list[tuple[int, int, str]]:
    """Return the start, end and E.164 form of every phone number written in ``text``."""
    return [
        (
            match.start,
            match.end,
            phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164),
        )
        for match in phonenumbers.PhoneNumberMatcher(
            text, region or "ZZ", leniency=phonenumbers.Leniency.POSSIBLE
        )
    ]


def email_spans(text: str) -> list[tuple[int, int, str]]:
    """Return the start, end and lower-case form of every e-mail address written in ``text``."""
    return [(match.start(), match.end(), match.group(0).lower()) for match in _EMAIL.finditer(text)]


def email_key(value: str) -> str | None:
    cleaned = value.strip().lower()
    return cleaned if _EMAIL.fullmatch(cleaned) else None


def emails_in_text(text: str) -> set[str]:
    return {match.group(0).lower() for match in _EMAIL.finditer(text)}


def name_key(value: str) -> str | None:
    normalised = normalize(value, lowercase=True, latinize=True)
    if not normalised:
        return None
    words = sorted(normalised.split())
    return " ".join(words)[:MAX_KEY_LENGTH] or None


def place_key(value: str) -> str | None:
    normalised = normalize(value, lowercase=True, latinize=True)
    if not normalised:
        return None
    words = [_PLACE_WORDS.get(word, word) for word in normalised.split()]
    return " ".join(words)[:MAX_KEY_LENGTH] or None


def shingles(text: str) -> set[str]:
    """Return the word 3-shingles of ``text``; a text of fewer words is one shingle."""
    words = (normalize(text, lowercase=True, latinize=True) or "").split()
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def jaccard(left: set[str], right: set[str]) -> float:
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def _hash61(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big") % _PRIME


def minhash_bands(items: Iterable[str]) -> list[str]:
    """Return the MinHash band keys of a shingle set, ``band:digest`` strings; none for an empty set."""
    hashes = [_hash61(item) for item in items]
    if not hashes:
        return []
    signature = [min((a * value + b) % _PRIME for value in hashes) for a, b in _SEEDS]
    bands: list[str] = []
    for band in range(MINHASH_BANDS):
        rows = signature[band * MINHASH_ROWS : (band + 1) * MINHASH_ROWS]
        digest = hashlib.blake2b(repr(rows).encode(), digest_size=10).hexdigest()
        bands.append(f"{band}:{digest}")
    return bands

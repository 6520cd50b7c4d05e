"""Identifiers found in text: e-mail addresses, phone numbers, IBANs, bank accounts, URLs, dates.

Pure functions with no database access. Each finding carries the text as written and a
canonical form: lower-case e-mail, E.164 phone number, IBAN without spaces in upper case,
account digits, URL as written without trailing punctuation, ISO 8601 date. A finding that
fails its check (IBAN mod-97, phone number validity, impossible date) is dropped, so a
suggestion is never a value that cannot be right.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import phonenumbers

# Kinds, in the order they are reported.
EMAIL = "email"
PHONE = "phone"
IBAN = "iban"
ACCOUNT = "account"
URL = "url"
DATE = "date"

MAX_VALUE_LENGTH = 500

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b"
)
_IMCEA = re.compile(r"(?<![\w.+-])IMCEA[A-Z]*-[\w.+-]{1,500}@[A-Za-z0-9.-]{1,253}", re.IGNORECASE)
# Two letters, two check digits, then 11 to 30 letters or digits, optionally in groups of four.
_IBAN = re.compile(r"\b[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]){11,30}\b")
_ACCOUNT = re.compile(
    r"\b(?:account|acct|a/c|konto|compte|cuenta)\s*(?:no\.?|number|nr\.?|num\.?|#)?\s*[:.]?\s*"
    r"([0-9][0-9 -]{4,32}[0-9])\b",
    re.IGNORECASE,
)
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`]{2,2000}", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\""
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})([./])(\d{1,2})\2(\d{4})\b")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAMES})\.?,?\s+(\d{{4}})\b", re.IGNORECASE
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE
)
# Length of an IBAN by country (ISO 13616 registry); a country not listed is checked by mod-97 only.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22,
    "VG": 24, "XK": 20,
}  # fmt: skip


@dataclass(frozen=True)
class Finding:
    kind: str
    value: str
    """As written in the text."""
    normalized: str


def find_identifiers(text: str, *, phone_region: str | None = None) -> list[Finding]:
    """Return each distinct identifier in ``text`` once, in order of kind then position.

    ``phone_region`` (ISO 3166 alpha-2, e.g. "GB") lets national phone numbers be read; without
    it only numbers written with a leading + and country code are found.
    """
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for finding in _all_findings(text, phone_region):
        key = (finding.kind, finding.normalized)
        if key in seen or len(finding.value) > MAX_VALUE_LENGTH:
            continue
        seen.add(key)
        findings.append(finding)
    return findings


def _all_findings(text: str, phone_region: str | None) -> Iterator[Finding]:
    yield from find_emails(text)
    yield from find_phones(text, phone_region)
    yield from find_ibans(text)
    yield from find_accounts(text)
    yield from find_urls(text)
    yield from find_dates(text)


def find_emails(text: str) -> Iterator[Finding]:
    # Exchange wraps addresses of other mail systems as IMCEA<type>-<address with +XX
    # escapes>@domain; the wrapped address is the one a person uses, so it replaces the wrapper.
    for wrapped in _IMCEA.finditer(text):
        yield from find_emails(_unwrap_imcea(wrapped.group(0)))
    for match in _EMAIL.finditer(_IMCEA.sub(" ", text)):
        value = match.group(0)
        yield Finding(EMAIL, value, value.lower())


def _unwrap_imcea(value: str) -> str:
    encoded = value.split("-", 1)[1].rsplit("@", 1)[0]
    return re.sub(r"\+([0-9A-Fa-f]{2})", lambda escape: chr(int(escape.group(1), 16)), encoded)


def find_phones(text: str, region: str | None) -> Iterator[Finding]:
    matcher = phonenumbers.PhoneNumberMatcher(text, region.upper() if region else None)
    for match in matcher:
        if not phonenumbers.is_valid_number(match.number):
            continue
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        yield Finding(PHONE, match.raw_string, e164)


def iban_is_valid(candidate: str) -> bool:
    """Check an IBAN (no spaces, upper case) by its country length and the ISO 7064 mod-97 rule."""
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", candidate):
        return False
    expected = IBAN_LENGTHS.get(candidate[:2])
    if expected is not None and len(candidate) != expected:
        return False
    rearranged = candidate[4:] + candidate[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


def find_ibans(text: str) -> Iterator[Finding]:
    for match in _IBAN.finditer(text.upper()):
        raw = text[match.start() : match.end()]
        compact = match.group(0).replace(" ", "")
        # Grouped IBANs may run into the next word; retry on whole groups of four.
        for candidate in _iban_candidates(compact):
            if iban_is_valid(candidate):
                yield Finding(IBAN, raw[: _raw_length(raw, len(candidate))], candidate)
                break


def _iban_candidates(compact: str) -> Iterator[str]:
    yield compact
    for length in range(len(compact) - 1, 14, -1):
        yield compact[:length]


def _raw_length(raw: str, compact_length: int) -> int:
    count = 0
    for index, char in enumerate(raw):
        if char != " ":
            count += 1
        if count == compact_length:
            return index + 1
    return len(raw)


def find_accounts(text: str) -> Iterator[Finding]:
    for match in _ACCOUNT.finditer(text):
        raw = match.group(1)
        digits = re.sub(r"[ -]", "", raw)
        if 6 <= len(digits) <= 30:
            yield Finding(ACCOUNT, raw, digits)


def find_urls(text: str) -> Iterator[Finding]:
    for match in _URL.finditer(text):
        value = match.group(0).rstrip(_URL_TRAILING)
        if "." not in value.split("//", 1)[-1]:
            continue
        normalized = value if "://" in value else f"http://{value}"
        yield Finding(URL, value, normalized)


def find_dates(text: str) -> Iterator[Finding]:
    for match in _ISO_DATE.finditer(text):
        yield from _date_finding(
            match.group(0), int(match.group(1)), int(match.group(2)), int(match.group(3))
        )
    for match in _NUMERIC_DATE.finditer(text):
        parsed = _numeric_day_month(int(match.group(1)), match.group(2), int(match.group(3)))
        if parsed is not None:
            yield from _date_finding(match.group(0), int(match.group(4)), parsed[1], parsed[0])
    for match in _DAY_MONTH_YEAR.finditer(text):
        month = _MONTHS[match.group(2).lower()]
        yield from _date_finding(match.group(0), int(match.group(3)), month, int(match.group(1)))
    for match in _MONTH_DAY_YEAR.finditer(text):
        month = _MONTHS[match.group(1).lower()]
        yield from _date_finding(match.group(0), int(match.group(3)), month, int(match.group(2)))


def _numeric_day_month(first: int, separator: str, second: int) -> tuple[int, int] | None:
    """Return (day, month) of a numeric date, or None when the order cannot be told.

    Dotted dates are day first (European use). Slashed dates are read day first only when the
    first number cannot be a month, month first only when the second cannot be; 03/04/2026 is
    left out because it could be either.
    """
    if separator == ".":
        return first, second
    if first > 12 >= second:
        return first, second
    if second > 12 >= first:
        return second, first
    return None


def _date_finding(raw: str, year: int, month: int, day: int) -> Iterator[Finding]:
    try:
        parsed = date(year, month, day)
    except ValueError:
        return
    if 1800 <= parsed.year <= 2200:
        yield Finding(DATE, raw, parsed.isoformat())

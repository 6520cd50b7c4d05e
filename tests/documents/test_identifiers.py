"""Identifier finding in text: each kind, its canonical form and the checks that drop bad values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetrail.documents.identifiers import Finding, find_identifiers, iban_is_valid

SAMPLE = (
    "Contact Jane.Doe@Example.org or call +44 20 7946 0958. Pay GB82 WEST 1234 5698 7654 32 now.\n"
    "Account no: 12345678. See https://example.org/path?q=1). Met on 2026-03-14 and 25/12/2025,\n"
    "again on 4 December 2026 and March 5, 2026."
)


@pytest.mark.parametrize(
    ("kind", "value", "normalized"),
    [
        ("email", "Jane.Doe@Example.org", "jane.doe@example.org"),
        ("phone", "+44 20 7946 0958", "+442079460958"),
        ("iban", "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"),
        ("account", "12345678", "12345678"),
        ("url", "https://example.org/path?q=1", "https://example.org/path?q=1"),
        ("date", "2026-03-14", "2026-03-14"),
        ("date", "25/12/2025", "2025-12-25"),
        ("date", "4 December 2026", "2026-12-04"),
        ("date", "March 5, 2026", "2026-03-05"),
    ],
)
def test_sample_finding(kind: str, value: str, normalized: str) -> None:
    assert Finding(kind, value, normalized) in find_identifiers(SAMPLE)


def test_iban_with_bad_checksum_is_dropped() -> None:
    assert not [f for f in find_identifiers("GB82 WEST 1234 5698 7654 33") if f.kind == "iban"]


def test_ambiguous_slashed_date_is_dropped() -> None:
    assert not [f for f in find_identifiers("on 03/04/2026") if f.kind == "date"]


def test_impossible_date_is_dropped() -> None:
    assert not [f for f in find_identifiers("on 2026-02-30") if f.kind == "date"]


def test_national_phone_needs_region() -> None:
    assert not [f for f in find_identifiers("call 020 7946 0958") if f.kind == "phone"]
    found = [f.normalized for f in find_identifiers("call 020 7946 0958", phone_region="GB")]
    assert found == ["+442079460958"]


def test_exchange_wrapped_address_yields_the_inner_one() -> None:
    text = "From: <IMCEANOTES-+22Yee+2C+20Danny+22+20+3Cdanny+2Eyee+40sap+2Ecom+3E+40ENRON@ENRON.com>"
    emails = [finding.normalized for finding in find_identifiers(text) if finding.kind == "email"]
    assert emails == ["danny.yee@sap.com"]


def test_same_value_reported_once() -> None:
    findings = find_identifiers("a@b.org and A@B.org")

    assert [f.normalized for f in findings] == ["a@b.org"]


def test_iban_rule_accepts_known_examples() -> None:
    assert iban_is_valid("DE89370400440532013000")
    assert iban_is_valid("NL91ABNA0417164300")
    assert not iban_is_valid("DE89370400440532013001")


@given(st.text(max_size=400))
def test_any_text_never_raises(text: str) -> None:
    for finding in find_identifiers(text):
        assert finding.value
        assert finding.normalized

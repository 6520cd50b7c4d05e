"""The matchers and blocking keys on name variants: scripts, word order, initials and typos.

Expected outcomes are for nomenklatura 4.17 with rigour 2.6; a match is a score of at least
0.7, the score at which the follower also raises a deconfliction notice.
"""

from __future__ import annotations

import itertools

import pytest
from followthemoney import model
from followthemoney.proxy import EntityProxy
from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.xref.keys import entity_keys, name_keys
from casetrail.xref.matching import score_pair
from tests.conftest import DATA_DIR

MATCH = 0.7
PUTIN_NAMES = DATA_DIR / "matching" / "putin_names_multiscript.txt"
_ids = itertools.count()


def person(name: str, **properties: str) -> EntityProxy:
    proxy = model.make_entity("Person")
    proxy.id = f"p{next(_ids)}"
    proxy.add("name", name)
    for prop, value in properties.items():
        proxy.add(prop, value)
    return proxy


def shared_keys(left: EntityProxy, right: EntityProxy) -> set[str]:
    return {key.key for key in entity_keys(left)} & {key.key for key in entity_keys(right)}


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Vladimir Vladimirovich Putin", "Путин Владимир Владимирович"),
        ("Ivan Sokolov", "Иван Соколов"),
        ("John Smith", "Smith John"),
        ("Mohammed Ali Hassan", "Muhammad Ali Hasan"),
        ("Katherine Johnson", "Kathrine Jonson"),
        ("Wladimir Wladimirowitsch Putin", "Vladimir Vladimirovich Putin"),
    ],
)
def test_logic_v2_matches_variants(left: str, right: str) -> None:
    assert score_pair(person(left), person(right)).value >= MATCH


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("John Smith", "Peter Brown"),
        ("John Smith", "Jane Smith"),
        ("John Smith", "J. Smith"),
        ("John Smith", "Jon Smyth"),
    ],
)
def test_logic_v2_rejects_name_only_pairs(left: str, right: str) -> None:
    assert score_pair(person(left), person(right)).value < MATCH


def test_initials_with_birth_date_regression_v1() -> None:
    left = person("John Smith", birthDate="1980-05-01")
    right = person("J. Smith", birthDate="1980-05-01")
    assert score_pair(left, right, "regression-v1").value >= MATCH


def test_initials_share_blocking_key() -> None:
    assert "ni:smith j" in shared_keys(person("John Smith"), person("J. Smith"))


def test_other_birth_date_lowers_score() -> None:
    same = score_pair(
        person("John Smith", birthDate="1980-05-01"), person("John Smith", birthDate="1980-05-01")
    )
    other = score_pair(
        person("John Smith", birthDate="1980-05-01"), person("John Smith", birthDate="1961-11-23")
    )
    assert other.value < same.value
    assert other.value < MATCH
    assert "dob_day_disjoint" in other.features


def test_shared_passport_number_makes_match() -> None:
    left = person("John Smith", passportNumber="X1234567")
    right = person("J Smith", passportNumber="X 123 4567")
    result = score_pair(left, right)
    assert result.value >= MATCH
    assert "id:X1234567" in shared_keys(left, right)


def test_phone_and_email_raise_regression_score() -> None:
    without = score_pair(person("John Smith"), person("Jon Smyth"), "regression-v1")
    with_contacts = score_pair(
        person("John Smith", phone="+12025550100", email="js@example.org"),
        person("Jon Smyth", phone="+1 202 555 0100", email="JS@example.org"),
        "regression-v1",
    )
    assert with_contacts.value > without.value
    assert with_contacts.features["phone_match"]["score"] == 1.0


def test_explanation_names_features() -> None:
    result = score_pair(person("Ivan Sokolov"), person("Иван Соколов"))
    assert "name_match" in result.features
    assert result.algorithm == "logic-v2"


def _putin_names() -> list[str]:
    return [line.strip() for line in PUTIN_NAMES.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_multiscript_full_names_match() -> None:
    reference = person("Vladimir Vladimirovich Putin")
    full = [name for name in _putin_names() if len(name.replace(",", " ").split()) == 3]
    scores = {name: score_pair(reference, person(name)).value for name in full}
    matched = [name for name, value in scores.items() if value >= MATCH]
    assert len(full) >= 30
    assert len(matched) / len(full) >= 0.75
    assert scores["Путин Владимир Владимирович"] == 1.0
    assert scores["Βλαντίμιρ Βλαντίμιροβιτς Πούτιν"] >= MATCH


def test_multiscript_names_share_keys() -> None:
    reference = person("Vladimir Vladimirovich Putin")
    names = _putin_names()
    blocked = [name for name in names if shared_keys(reference, person(name))]
    assert len(blocked) / len(names) >= 0.75
    assert shared_keys(reference, person("弗拉基米尔·普京"))
    assert shared_keys(reference, person("Wladimir Putin"))


def test_titles_alone_do_not_block() -> None:
    assert not shared_keys(person("Vladimir Vladimirovich Putin"), person("Präsident Putin"))


WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8), min_size=2, max_size=4
)


@settings(max_examples=50, deadline=None)
@given(WORDS, st.randoms())
def test_name_key_ignores_word_order(words: list[str], rng: object) -> None:
    shuffled = list(words)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    original = {key.key for key in name_keys(" ".join(words), "name", is_person=False) if key.kind == "n"}
    reordered = {key.key for key in name_keys(" ".join(shuffled), "name", is_person=False) if key.kind == "n"}
    assert original == reordered

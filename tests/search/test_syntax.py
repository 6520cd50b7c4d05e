"""The query parser and its translation to FTS5 and tsquery, without a database."""

from __future__ import annotations

import pytest

from casetrail.search.compile import _fts5, _tsquery
from casetrail.search.syntax import And, Fuzzy, Not, Or, QuerySyntaxError, Words, parse_query
from casetrail.search.text import normalize


def test_single_word() -> None:
    assert parse_query("Fraud").expression == Words(("fraud",))


def test_phrase() -> None:
    assert parse_query('"Wire  Transfer"').expression == Words(("wire", "transfer"))


def test_implicit_and() -> None:
    assert parse_query("cash garage").expression == And((Words(("cash",)), Words(("garage",))))


def test_explicit_and() -> None:
    assert parse_query("cash AND garage").expression == And((Words(("cash",)), Words(("garage",))))


def test_or_binds_looser_than_and() -> None:
    expected = Or((And((Words(("a1",)), Words(("b1",)))), Words(("c1",))))
    assert parse_query("a1 b1 OR c1").expression == expected


def test_parentheses_group() -> None:
    expected = And((Words(("a1",)), Or((Words(("b1",)), Words(("c1",))))))
    assert parse_query("a1 (b1 OR c1)").expression == expected


def test_not_keyword() -> None:
    assert parse_query("cash NOT driver").expression == And((Words(("cash",)), Not(Words(("driver",)))))


def test_minus_prefix_negates() -> None:
    assert parse_query("cash -driver").expression == And((Words(("cash",)), Not(Words(("driver",)))))


def test_minus_inside_word_is_not_negation() -> None:
    assert parse_query("2026-0142").expression == Words(("2026", "0142"))


def test_prefix_term() -> None:
    assert parse_query("transf*").expression == Words(("transf",), prefix=True)


def test_phrase_ending_in_star_is_prefix_phrase() -> None:
    assert parse_query('"wire trans*"').expression == Words(("wire", "trans"), prefix=True)


def test_star_inside_phrase_is_not_prefix() -> None:
    assert parse_query('"wire* transfer"').expression == Words(("wire", "transfer"))


def test_fuzzy_default_distance_long_word() -> None:
    assert parse_query("moonfase~").expression == Fuzzy("moonfase", 2)


def test_fuzzy_default_distance_short_word() -> None:
    assert parse_query("smiht~").expression == Fuzzy("smiht", 1)


def test_fuzzy_explicit_distance() -> None:
    assert parse_query("moonfase~1").expression == Fuzzy("moonfase", 1)


def test_lower_case_operators_are_words() -> None:
    assert parse_query("cash or garage").expression == And(
        (Words(("cash",)), Words(("or",)), Words(("garage",)))
    )


def test_apostrophe_makes_phrase() -> None:
    assert parse_query("O'Brien").expression == Words(("o", "brien"))


def test_field_filters_collected() -> None:
    parsed = parse_query('case:2026-0142 type:note author:"Jane Doe" fraud label:seized from:2025 to:2025-06')
    assert parsed.expression == Words(("fraud",))
    assert parsed.filters == {
        "case": ["2026-0142"],
        "type": ["note"],
        "author": ["Jane Doe"],
        "label": ["seized"],
        "from": ["2025"],
        "to": ["2025-06"],
    }


def test_quoted_field_like_text_is_a_phrase() -> None:
    assert parse_query('"foo:bar"').expression == Words(("foo", "bar"))


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("", "the query is empty", 1),
        ("a1 OR", "the query ends where a term is expected", 6),
        ("OR a1", "OR needs a term on each side", 1),
        ("(a1", "unclosed parenthesis", 1),
        ("a1)", "unexpected ')'", 3),
        ("()", "empty parentheses", 2),
        ("-a1", "at least one term that is not negated", 1),
        ("a1 OR -b1", "OR cannot join a negated term", 7),
        ("a1 --b1", "a double negation is not allowed", 5),
        ('"wire t*"', "prefix in '\"wire t*\"' is too short", 1),
        ("foo:bar", "unknown field 'foo'", 1),
        ('cash "wire', "unterminated phrase", 6),
        ("a1 AND AND b1", "AND needs a term on each side", 8),
        ("AND a1", "AND needs a term on each side", 1),
        ("x*y", "* and ~ may only end a term", 1),
        ("a1 x*", "prefix 'x*' is too short", 4),
        ("smith~3", "fuzzy distance", 1),
        ("big-cat~", "must be a single word", 1),
        ("(case:1 a1)", "must stand at the top level", 2),
        ("case:1 OR a1", "field filters cannot be part of an OR", 1),
        ("case:1", "only field filters", 1),
        ("a1 !!!", "term '!!!' contains no letters or digits", 4),
        ("type:", "has no value", 1),
        ("NOT case:1 a1", "cannot be negated", 5),
    ],
)
def test_syntax_errors_name_token_and_position(query: str, message: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    assert message in caught.value.message
    assert caught.value.position + 1 == position
    assert "q" in caught.value.errors


def test_too_many_terms_rejected() -> None:
    with pytest.raises(QuerySyntaxError, match="more than 64 terms"):
        parse_query(" ".join(f"w{index}" for index in range(65)))


def test_fts5_translation() -> None:
    parsed = parse_query('"wire transfer" bank* -cash (a1 OR b1)')
    expected = '(("wire transfer" AND "bank" * AND ("a1" OR "b1")) NOT ("cash"))'
    assert _fts5(parsed.expression, {}) == expected


def test_tsquery_translation() -> None:
    parsed = parse_query('"wire transfer" bank* -cash (a1 OR b1)')
    expected = "(('wire' <-> 'transfer') & ('bank':*) & !('cash') & (('a1') | ('b1')))"
    assert _tsquery(parsed.expression, {}) == expected


def test_fuzzy_translation_uses_expansions() -> None:
    fuzzy = Fuzzy("smiht", 1)
    assert _fts5(fuzzy, {fuzzy: ["smiht", "smith"]}) == '("smiht" OR "smith")'
    assert _tsquery(fuzzy, {fuzzy: ["smiht", "smith"]}) == "('smiht' | 'smith')"


def test_quotes_in_input_cannot_reach_engine() -> None:
    parsed = parse_query('it\'s a1"b"')
    assert _tsquery(parsed.expression, {}) == "(('it' <-> 's') & ('a1') & ('b'))"
    assert _fts5(parsed.expression, {}) == '("it s" AND "a1" AND "b")'


def test_normalize_folds_case_and_diacritics() -> None:
    assert normalize("Müller-Lüdenscheidt, ÉCOLE_x 42") == "muller ludenscheidt ecole x 42"

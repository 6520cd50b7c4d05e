"""Searching as a user on both backends: operators, snippets, filters, order, pages, need-to-know."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import RequestContext
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.search.request import SearchRequest
from casetrail.search.service import SearchPage, search
from tests.search.scenario import HARBOUR, NIGHT, SILENT, Scenario

PURPOSE = "check whether the nickname Moonface appears in other cases"


def run(factory: sessionmaker[Session], ctx: RequestContext, q: str, **options: object) -> SearchPage:
    with transaction(factory) as session:
        return search(session, ctx, SearchRequest(q=q, **options))  # type: ignore[arg-type]


def in_night(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario, q: str, **options: object
) -> SearchPage:
    return run(shared_factory, shared_scenario.okafor, q, case=NIGHT, **options)


def found(page: SearchPage) -> set[tuple[str, int | None]]:
    return {(hit.type, hit.page_no) for hit in page.hits}


def test_word_finds_page_with_number(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    page = in_night(shared_factory, shared_scenario, "moonface", types=("document",))
    assert [hit.page_no for hit in page.hits] == [3]
    assert page.hits[0].object_id == shared_scenario.ledger_id


def test_word_finds_entity_name(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "mundfeis")
    assert [(hit.type, hit.object_id) for hit in page.hits] == [("entity", shared_scenario.person_id)]


def test_phrase_requires_adjacent_words(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    assert in_night(shared_factory, shared_scenario, '"wire transfer"').total == 2
    assert in_night(shared_factory, shared_scenario, '"transfer wire"').total == 0


def test_phrase_with_prefix_matches_word_start(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    page = in_night(shared_factory, shared_scenario, '"wire trans*"')
    assert ("document", 3) in found(page)


def test_and_requires_both(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "cash AND driver")
    assert found(page) == {("document", 2)}


def test_or_accepts_either(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "midnight OR envelope")
    assert found(page) == {("note", None), ("document", 3)}


def test_not_excludes(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "cash NOT driver")
    assert found(page) == {("document", 1)}


def test_minus_excludes(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "cash -driver")
    assert found(page) == {("document", 1)}


def test_parentheses_group(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "harbour (envelope OR informant)")
    assert found(page) == {("document", 3), ("note", None)}


def test_prefix_matches_word_starts(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "deliv*")
    assert found(page) == {("document", 2)}


def test_fuzzy_matches_misspelling(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "moonfase~", types=("document",))
    assert found(page) == {("document", 3)}


def test_misspelling_without_fuzzy_finds_nothing(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    assert in_night(shared_factory, shared_scenario, "moonfase").total == 0


def test_diacritics_ignored(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "MULLER")
    assert [hit.object_id for hit in page.hits] == [shared_scenario.letter_id]


def test_title_found_on_first_page_only(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    page = in_night(shared_factory, shared_scenario, "ledger", types=("document",))
    assert found(page) == {("document", 1)}


def test_snippet_highlights_matches(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    hit = in_night(shared_factory, shared_scenario, "moonface envelope", types=("document",)).hits[0]
    marked = [part for part, is_match in hit.snippet.segments() if is_match]
    assert marked == ["Moonface", "envelope"]


def test_snippet_highlights_original_spelling(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    hit = in_night(shared_factory, shared_scenario, "muller").hits[0]
    start, end = hit.snippet.highlights[0]
    assert hit.snippet.text[start:end] == "Müller"


def test_snippet_highlights_prefix(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    hit = in_night(shared_factory, shared_scenario, "deliv*").hits[0]
    assert [part for part, is_match in hit.snippet.segments() if is_match] == ["deliveries"]


def test_type_filter(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "harbour", types=("note",))
    assert {hit.type for hit in page.hits} == {"note"}


def test_type_filter_in_query(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "harbour type:document")
    assert {hit.type for hit in page.hits} == {"document"}


def test_date_range_filter(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "transfer", date_from="2025-05", date_to="2025-06-30")
    assert [hit.object_id for hit in page.hits] == [shared_scenario.letter_id]


def test_date_to_includes_whole_day(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "transfer", date_from="2025-06-02", date_to="2025-06-02")
    assert [hit.object_id for hit in page.hits] == [shared_scenario.letter_id]


def test_author_filter(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "transfer", author="nowak")
    assert [hit.object_id for hit in page.hits] == [shared_scenario.ledger_id]


def test_author_filter_in_query(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, 'transfer author:"Müller Bank"')
    assert [hit.object_id for hit in page.hits] == [shared_scenario.letter_id]


def test_label_filter(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "transfer", label="bank")
    assert [hit.object_id for hit in page.hits] == [shared_scenario.letter_id]


def test_label_filter_is_exact(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    assert in_night(shared_factory, shared_scenario, "transfer", label="scan").total == 0


def test_hit_carries_metadata(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    hit = in_night(shared_factory, shared_scenario, "returned").hits[0]
    assert hit.case_number == NIGHT
    assert hit.title == "Returned transfer"
    assert hit.author == "Müller Bank"
    assert hit.labels == ("bank",)
    assert hit.media_type == "application/pdf"


def test_sort_newest_first(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "transfer", sort="newest")
    assert [hit.object_id for hit in page.hits] == [shared_scenario.letter_id, shared_scenario.ledger_id]


def test_sort_oldest_first(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "transfer", sort="oldest")
    assert [hit.object_id for hit in page.hits] == [shared_scenario.ledger_id, shared_scenario.letter_id]


def test_pagination(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    first = in_night(shared_factory, shared_scenario, "harbour OR cash OR transfer", page_size=2)
    second = in_night(shared_factory, shared_scenario, "harbour OR cash OR transfer", page_size=2, page=2)
    assert first.total == 5
    assert first.pages == 3
    assert len(first.hits) == 2
    assert {(hit.object_id, hit.page_no) for hit in first.hits}.isdisjoint(
        {(hit.object_id, hit.page_no) for hit in second.hits}
    )


def test_page_beyond_end_is_empty(shared_factory: sessionmaker[Session], shared_scenario: Scenario) -> None:
    page = in_night(shared_factory, shared_scenario, "harbour", page=9)
    assert page.hits == []
    assert page.total > 0


# -- need to know -------------------------------------------------------------------------------


def test_other_case_hidden_as_not_found(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    with pytest.raises(NotFound):
        run(shared_factory, shared_scenario.okafor, "moonface", case=HARBOUR)


def test_cross_case_search_skips_cases_not_on(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    page = run(
        shared_factory, shared_scenario.okafor.with_purpose(PURPOSE), "moonface OR harbour", page_size=100
    )
    assert HARBOUR not in {hit.case_number for hit in page.hits}
    assert shared_scenario.harbour_doc_id not in {hit.object_id for hit in page.hits}


def test_cross_case_search_reads_own_cases(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    page = run(shared_factory, shared_scenario.okafor.with_purpose(PURPOSE), "moonface")
    assert {hit.case_number for hit in page.hits} == {NIGHT, SILENT}


def test_other_user_sees_only_own_case(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    page = run(
        shared_factory,
        shared_scenario.rivera.with_purpose(PURPOSE),
        "moonface OR transfer OR ledger",
        page_size=100,
    )
    assert {hit.case_number for hit in page.hits} == {HARBOUR}


def test_supervisor_sees_unit_case_within_clearance(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    page = run(shared_factory, shared_scenario.hale.with_purpose(PURPOSE), "moonface", page_size=100)
    assert {hit.case_number for hit in page.hits} == {NIGHT}


def test_case_above_clearance_hidden(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    with pytest.raises(NotFound):
        run(shared_factory, shared_scenario.hale, "moonface", case=SILENT)


def test_counts_exclude_hidden_cases(
    shared_factory: sessionmaker[Session], shared_scenario: Scenario
) -> None:
    page = run(shared_factory, shared_scenario.rivera.with_purpose(PURPOSE), "moonface")
    assert page.total == 2


# -- request errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "parameter"),
    [
        ({"q": "a1 OR"}, "q"),
        ({"q": "cash", "types": ("memo",)}, "types"),
        ({"q": "cash", "date_from": "yesterday"}, "date_from"),
        ({"q": "cash from:2025-02-30"}, "q"),
        ({"q": "cash type:memo"}, "q"),
        ({"q": "cash", "date_to": "2025-02-30"}, "date_to"),
        ({"q": "cash", "date_from": "2025-06", "date_to": "2025-01"}, "date_from"),
        ({"q": "cash", "sort": "random"}, "sort"),
        ({"q": "cash", "page": 0}, "page"),
        ({"q": "cash", "page_size": 101}, "page_size"),
        ({"q": "cash", "page": 600}, "page"),
        ({"q": f"cash case:{HARBOUR}"}, "case"),
    ],
)
def test_invalid_request_names_parameter(
    shared_factory: sessionmaker[Session],
    shared_scenario: Scenario,
    options: dict[str, object],
    parameter: str,
) -> None:
    with pytest.raises(ValidationFailed) as caught, transaction(shared_factory) as session:
        search(session, shared_scenario.okafor, SearchRequest(case=NIGHT, **options))  # type: ignore[arg-type]
    assert parameter in caught.value.errors

"""Case tokens narrow the engine's match; the policy join alone decides what a user can read."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import RequestContext
from casetrail.db.engine import transaction
from casetrail.migrations.runner import alembic_config, upgrade
from casetrail.search import scope, vocabulary
from casetrail.search.models import SearchEntry, SearchTerm, letter_count
from casetrail.search.query import visible_condition
from casetrail.search.request import SearchRequest
from casetrail.search.service import SearchPage, search
from casetrail.search.text import words
from tests.factories import context_for, make_user
from tests.search.scenario import HARBOUR, NIGHT, SILENT, Scenario

PURPOSE = "check whether the nickname Moonface appears in other cases"


def run(factory: sessionmaker[Session], ctx: RequestContext, q: str, **options: object) -> SearchPage:
    with transaction(factory) as session:
        return search(session, ctx.with_purpose(PURPOSE), SearchRequest(q=q, **options))  # type: ignore[arg-type]


def entry_tokens(factory: sessionmaker[Session]) -> list[tuple[str, str]]:
    with transaction(factory) as session:
        rows = session.execute(select(SearchEntry.case_id, SearchEntry.scope_terms)).all()
    return [(case_id, token) for case_id, token in rows]


def test_token_is_one_indexed_word() -> None:
    token = scope.scope_token("01a24402-e9b3-7118-81da-df467cdc65c5")
    assert words(token) == [token]


def test_tokens_of_two_cases_differ() -> None:
    assert scope.scope_token("case-a") != scope.scope_token("case-b")


def test_every_entry_carries_its_case_token(factory: sessionmaker[Session], scenario: Scenario) -> None:
    pairs = entry_tokens(factory)
    assert pairs
    assert all(token == scope.scope_token(case_id) for case_id, token in pairs)


def test_token_of_a_visible_case_reveals_nothing(factory: sessionmaker[Session], scenario: Scenario) -> None:
    # An entry of a hidden case that carries the token of a visible case is still dropped by the
    # policy join, so a wrong token can only hide results.
    with transaction(factory) as session:
        session.execute(
            update(SearchEntry)
            .where(SearchEntry.case_id == scenario.harbour.id)
            .values(scope_terms=scope.scope_token(scenario.night.id))
        )
    page = run(factory, scenario.okafor, "moonface OR harbour", page_size=100)
    assert scenario.harbour_doc_id not in {hit.object_id for hit in page.hits}
    assert HARBOUR not in {hit.case_number for hit in page.hits}


def test_broad_visibility_searches_without_tokens(
    factory: sessionmaker[Session], scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scope, "MAX_SCOPED_CASES", 1)
    with transaction(factory) as session:
        visible = visible_condition(session, scenario.okafor.actor)
        assert scope.scope_tokens(session, visible, None) is None
    page = run(factory, scenario.okafor, "moonface", page_size=100)
    assert {hit.case_number for hit in page.hits} == {NIGHT, SILENT}


def test_migration_counts_letters_of_existing_words(
    database_url: str, engine: Engine, factory: sessionmaker[Session], scenario: Scenario
) -> None:
    with transaction(factory) as session:
        vocabulary.add_terms(session, ["20451", "a1b2", "moonface"])
    engine.dispose()
    command.downgrade(alembic_config(database_url), "0009")
    upgrade(database_url)
    engine.dispose()
    with transaction(factory) as session:
        rows = session.execute(select(SearchTerm.term, SearchTerm.letters)).all()
    assert {"20451", "a1b2", "moonface"} <= {term for term, _ in rows}
    assert all(letters == letter_count(term) for term, letters in rows)


def test_user_on_no_case_finds_nothing(factory: sessionmaker[Session], scenario: Scenario) -> None:
    newcomer = context_for(make_user(factory, "newcomer", unit="Training Unit"))
    with transaction(factory) as session:
        assert scope.scope_tokens(session, visible_condition(session, newcomer.actor), None) == []
    assert run(factory, newcomer, "moonface OR ledger OR harbour").total == 0


def test_migration_fills_tokens_of_existing_entries(
    database_url: str, engine: Engine, factory: sessionmaker[Session], scenario: Scenario
) -> None:
    engine.dispose()
    command.downgrade(alembic_config(database_url), "0009")
    with engine.connect() as connection:
        columns = connection.execute(text("SELECT * FROM search_entry LIMIT 1")).keys()
    assert "scope_terms" not in columns

    upgrade(database_url)
    engine.dispose()
    pairs = entry_tokens(factory)
    assert pairs
    assert all(token == scope.scope_token(case_id) for case_id, token in pairs)
    page = run(factory, scenario.okafor, "moonface", page_size=100)
    assert {hit.case_number for hit in page.hits} == {NIGHT, SILENT}

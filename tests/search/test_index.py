"""Keeping the index current: the outbox follower, deletions, merges, rebuilds, audit."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.auth.context import RequestContext, operator_context
from casetrail.cases import notes
from casetrail.core.errors import ValidationFailed
from casetrail.db.engine import transaction
from casetrail.db.outbox import emit, get_cursor
from casetrail.documents.models import Document, DocumentPage
from casetrail.entities import merge
from casetrail.search.follower import CONSUMER, sync_until_caught_up
from casetrail.search.models import SearchEntry, SearchTerm
from casetrail.search.rebuild import rebuild
from casetrail.search.request import SearchRequest
from casetrail.search.service import SearchPage, search
from tests.search.scenario import NIGHT, Scenario, add_document, add_note, add_person

PURPOSE = "check whether the nickname Moonface appears in other cases"


def run(factory: sessionmaker[Session], ctx: RequestContext, q: str, **options: object) -> SearchPage:
    with transaction(factory) as session:
        return search(session, ctx, SearchRequest(q=q, **options))  # type: ignore[arg-type]


def in_night(factory: sessionmaker[Session], scenario: Scenario, q: str, **options: object) -> SearchPage:
    return run(factory, scenario.okafor, q, case=NIGHT, **options)


def index_rows(factory: sessionmaker[Session]) -> list[tuple[object, ...]]:
    columns = (
        SearchEntry.kind,
        SearchEntry.object_id,
        SearchEntry.case_id,
        SearchEntry.page_no,
        SearchEntry.title,
        SearchEntry.body,
        SearchEntry.title_terms,
        SearchEntry.body_terms,
        SearchEntry.entry_date,
        SearchEntry.author,
        SearchEntry.media_type,
        SearchEntry.labels,
    )
    with transaction(factory) as session:
        return sorted(tuple(row) for row in session.execute(select(*columns)).all())  # type: ignore[misc]


def test_new_note_found_after_sync(factory: sessionmaker[Session], scenario: Scenario) -> None:
    add_note(factory, scenario.okafor, NIGHT, "A blue van with Dutch plates.")
    assert in_night(factory, scenario, "van").total == 0
    sync_until_caught_up(factory)
    assert in_night(factory, scenario, "van").total == 1


def test_edited_note_reindexed(factory: sessionmaker[Session], scenario: Scenario) -> None:
    note_id = add_note(factory, scenario.okafor, NIGHT, "A blue van.")
    with transaction(factory) as session:
        notes.update_note(session, scenario.okafor, NIGHT, note_id, body="A red lorry.", expected_version=1)
    sync_until_caught_up(factory)
    assert in_night(factory, scenario, "van").total == 0
    assert in_night(factory, scenario, "lorry").total == 1


def test_deleted_document_leaves_index(factory: sessionmaker[Session], scenario: Scenario) -> None:
    with transaction(factory) as session:
        session.query(DocumentPage).filter_by(document_id=scenario.letter_id).delete()
        session.query(Document).filter_by(id=scenario.letter_id).delete()
        emit(
            session,
            object_type="document",
            object_id=scenario.letter_id,
            operation="delete",
            case_id=scenario.night.id,
        )
    sync_until_caught_up(factory)
    assert in_night(factory, scenario, "muller").total == 0


def test_document_not_ingested_not_indexed(factory: sessionmaker[Session], scenario: Scenario) -> None:
    add_document(factory, scenario.night, ["Walrus sighting"], title="Queued", status="queued")
    sync_until_caught_up(factory)
    assert in_night(factory, scenario, "walrus").total == 0


def test_failed_document_leaves_index(factory: sessionmaker[Session], scenario: Scenario) -> None:
    with transaction(factory) as session:
        session.get_one(Document, scenario.letter_id).status = "failed"
        emit(
            session,
            object_type="document",
            object_id=scenario.letter_id,
            operation="update",
            case_id=scenario.night.id,
        )
    sync_until_caught_up(factory)
    assert in_night(factory, scenario, "muller").total == 0


def test_merged_entity_leaves_index(factory: sessionmaker[Session], scenario: Scenario) -> None:
    other = add_person(factory, scenario.okafor, NIGHT, "Vic Moonfaceson")
    with transaction(factory) as session:
        merge.merge_entities(
            session, scenario.okafor, NIGHT, winner_id=scenario.person_id, loser_id=other, reason="same man"
        )
    sync_until_caught_up(factory)
    page = in_night(factory, scenario, "moonfaceson")
    assert [hit.object_id for hit in page.hits] == [scenario.person_id]


def test_snippet_cuts_long_text(factory: sessionmaker[Session], scenario: Scenario) -> None:
    words = [f"filler{index}" for index in range(200)]
    words[150] = "needle"
    add_document(factory, scenario.night, [" ".join(words)], title="Long")
    sync_until_caught_up(factory)
    hit = in_night(factory, scenario, "needle").hits[0]
    assert hit.snippet.text.startswith("…")
    assert hit.snippet.text.endswith("…")
    assert "needle" in hit.snippet.text


def test_relevance_prefers_more_matches(factory: sessionmaker[Session], scenario: Scenario) -> None:
    add_document(factory, scenario.night, ["pigeon " * 20], title="Pigeons")
    add_document(factory, scenario.night, ["one pigeon among many other words here"], title="Other")
    sync_until_caught_up(factory)
    page = in_night(factory, scenario, "pigeon")
    assert [hit.title for hit in page.hits] == ["Pigeons", "Other"]
    assert page.hits[0].score > page.hits[1].score


def test_sync_twice_changes_nothing(factory: sessionmaker[Session], scenario: Scenario) -> None:
    before = index_rows(factory)
    run_again = sync_until_caught_up(factory)
    assert run_again.events == 0
    assert index_rows(factory) == before


def test_rebuild_equals_incremental(factory: sessionmaker[Session], scenario: Scenario) -> None:
    note_id = add_note(factory, scenario.okafor, NIGHT, "A blue van.")
    with transaction(factory) as session:
        notes.update_note(session, scenario.okafor, NIGHT, note_id, body="A red lorry.", expected_version=1)
    sync_until_caught_up(factory)
    incremental = index_rows(factory)
    report = rebuild(factory, operator_context().audit_source)
    assert index_rows(factory) == incremental
    assert report.objects == 9
    assert report.removed == 0


def test_rebuild_removes_stale_entries(factory: sessionmaker[Session], scenario: Scenario) -> None:
    with transaction(factory) as session:
        session.query(DocumentPage).filter_by(document_id=scenario.letter_id).delete()
        session.query(Document).filter_by(id=scenario.letter_id).delete()
    report = rebuild(factory, operator_context().audit_source)
    assert report.removed == 1
    assert in_night(factory, scenario, "muller").total == 0


def test_rebuild_moves_cursor_to_head(factory: sessionmaker[Session], scenario: Scenario) -> None:
    add_note(factory, scenario.okafor, NIGHT, "Unsynced note about a kayak.")
    rebuild(factory, operator_context().audit_source)
    with transaction(factory) as session:
        cursor = get_cursor(session, CONSUMER)
    assert sync_until_caught_up(factory).events == 0
    assert cursor > 0
    assert in_night(factory, scenario, "kayak").total == 1


def test_rebuild_refills_vocabulary(factory: sessionmaker[Session], scenario: Scenario) -> None:
    rebuild(factory, operator_context().audit_source)
    with transaction(factory) as session:
        assert session.get(SearchTerm, "moonface") is not None


def test_rebuild_reports_progress(factory: sessionmaker[Session], scenario: Scenario) -> None:
    seen: list[tuple[int, int]] = []
    rebuild(factory, operator_context().audit_source, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (8, 8)


def test_rebuild_audited(factory: sessionmaker[Session], scenario: Scenario) -> None:
    rebuild(factory, operator_context().audit_source)
    with transaction(factory) as session:
        entry = session.execute(
            select(AuditRecord).where(AuditRecord.action == "search.reindex")
        ).scalar_one()
    assert entry.detail["objects"] == 8


# -- purpose and audit --------------------------------------------------------------------------


def test_cross_case_search_needs_purpose(factory: sessionmaker[Session], scenario: Scenario) -> None:
    with pytest.raises(ValidationFailed) as caught:
        run(factory, scenario.okafor, "moonface")
    assert caught.value.errors == {"purpose": "missing"}


def test_cross_case_search_audited_with_purpose(factory: sessionmaker[Session], scenario: Scenario) -> None:
    run(factory, scenario.okafor.with_purpose(PURPOSE), "moonface")
    with transaction(factory) as session:
        entry = session.execute(select(AuditRecord).where(AuditRecord.action == "search.query")).scalar_one()
    assert entry.purpose == PURPOSE
    assert entry.detail["scope"] == "visible_cases"
    assert entry.detail["query_sha256"] == hashlib.sha256(b"moonface").hexdigest()
    assert sorted(entry.detail["result_case_ids"]) == sorted([scenario.night.id, scenario.silent.id])


def test_case_search_audited_with_case(factory: sessionmaker[Session], scenario: Scenario) -> None:
    in_night(factory, scenario, "moonface")
    with transaction(factory) as session:
        entry = session.execute(select(AuditRecord).where(AuditRecord.action == "search.query")).scalar_one()
    assert entry.case_id == scenario.night.id
    assert "moonface" not in str(entry.detail).lower()

"""End to end: upload a real PDF, let the worker ingest it and follow the outbox, find a word in it."""

from __future__ import annotations

from casetrail.db.engine import transaction
from casetrail.documents import tasks as document_tasks
from casetrail.jobs.worker import Worker
from casetrail.search import tasks as search_tasks
from casetrail.search.request import SearchRequest
from casetrail.search.service import SearchPage, search
from tests.documents.conftest import World, store_file
from tests.documents.conftest import store as store  # noqa: PLC0414 - the fixture of the documents tests
from tests.documents.conftest import world as world  # noqa: PLC0414 - the fixture of the documents tests


def run_worker(world: World) -> None:
    """Drain the queue with the document handlers and the search follower, as `casetrail worker` does.

    With ``once`` the worker stops only after a round in which no job ran and no periodic task had
    work, so the follower has applied the event of the finished ingestion.
    """
    Worker(
        settings=world.settings,
        sessions=world.factory,
        blobs=world.store,
        handlers=document_tasks.HANDLERS,
        periodic=[*document_tasks.PERIODIC, *search_tasks.PERIODIC],
        worker_id="test-worker",
    ).run(once=True)


def find(world: World, user: str, q: str) -> SearchPage:
    ctx = world.ctx(getattr(world, user)).with_purpose("find the uploaded report")
    with transaction(world.factory) as session:
        return search(session, ctx, SearchRequest(q=q))


def test_uploaded_pdf_found_by_phrase(world: World) -> None:
    document = store_file(world, "pdf/testPDF.pdf")
    run_worker(world)
    page = find(world, "alice", '"content analysis toolkit"')
    assert [(hit.object_id, hit.page_no) for hit in page.hits] == [(document.id, 1)]
    assert "Content" in [part for part, is_match in page.hits[0].snippet.segments() if is_match]


def test_uploaded_pdf_hidden_from_user_not_on_case(world: World) -> None:
    store_file(world, "pdf/testPDF.pdf")
    run_worker(world)
    assert find(world, "bob", '"content analysis toolkit"').total == 0

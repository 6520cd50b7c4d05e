"""Full-text search over the documents, notes and entity names of the cases the caller may see.

Without ``case`` the search reads every visible case and needs a stated purpose, sent in the
X-Casetrail-Purpose header or the ``purpose`` parameter. The audit trail keeps it. The query
syntax is described in docs/search.md.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from casetrail.api.openapi import error_responses
from casetrail.api.schemas.search import SearchHitOut, SearchPageOut, SnippetOut
from casetrail.http.deps import Ctx, DbSession
from casetrail.search import service
from casetrail.search.request import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, SearchRequest, SortOrder
from casetrail.search.service import SearchHit

router = APIRouter(prefix="/search", tags=["search"], responses=error_responses(404))


def hit_out(hit: SearchHit, query: str) -> SearchHitOut:
    return SearchHitOut(
        type=hit.type,
        id=hit.object_id,
        case=hit.case_number,
        page=hit.page_no,
        title=hit.title,
        snippet=SnippetOut(text=hit.snippet.text, highlights=list(hit.snippet.highlights)),
        date=hit.date,
        author=hit.author,
        media_type=hit.media_type,
        labels=list(hit.labels),
        score=hit.score,
        link=hit.web_path(query),
    )


@router.get("")
def search(
    *,
    session: DbSession,
    ctx: Ctx,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=1000,
            description='Query: words, "phrases", AND, OR, NOT or -word, (groups), prefix*, fuzzy~, '
            "and field filters such as type:note or author:Name.",
        ),
    ],
    case: Annotated[
        str | None, Query(description="Search this case only; leave out to search every case you may see.")
    ] = None,
    types: Annotated[
        list[str], Query(description="Only these result types (repeatable): document, note, entity.")
    ] = [],  # noqa: B006 - FastAPI copies a list default per request
    date_from: Annotated[str | None, Query(description="On or after: YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, Query(description="On or before: YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
    author: Annotated[
        str | None, Query(description="Author or sender contains this text (any case).")
    ] = None,
    label: Annotated[str | None, Query(description="Documents carrying this label.")] = None,
    sort: Annotated[SortOrder, Query(description="relevance, newest or oldest first.")] = SortOrder.RELEVANCE,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> SearchPageOut:
    """Search documents page by page, notes and entity names, with highlighted snippets."""
    request = SearchRequest(
        q=q,
        case=case,
        types=tuple(types),
        date_from=date_from,
        date_to=date_to,
        author=author,
        label=label,
        sort=sort,
        page=page,
        page_size=page_size,
    )
    found = service.search(session, ctx, request)
    return SearchPageOut(
        results=[hit_out(hit, q) for hit in found.hits],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
        pages=found.pages,
        sort=found.sort,
        case=found.case_number,
    )

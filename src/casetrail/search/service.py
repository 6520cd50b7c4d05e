"""Full-text search for a user: check access, run one permission-filtered query, audit it.

A search names one case, which needs read access to it (a hidden case reads as not found), or
none, and then reads every case the user may see and needs a stated purpose. Each search is
recorded as ``search.query`` with the purpose, the filters and the cases the page of results
came from. The query text and the author filter are recorded as SHA-256 digests, because they
may contain case content (names). An auditor who has the text can recompute the digest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import open_case
from casetrail.cases.models import Case
from casetrail.core.logging import get_logger
from casetrail.search.compile import Highlighter, compile_query
from casetrail.search.models import EntryKind, SearchEntry
from casetrail.search.query import (
    count_matches,
    engine_match,
    filter_conditions,
    load_entries,
    rank_matches,
    use_custom_plans,
    visible_condition,
)
from casetrail.search.request import CheckedRequest, SearchRequest, check_request
from casetrail.search.scope import scope_tokens
from casetrail.search.snippets import Snippet, build_snippet

log = get_logger(__name__)

# The type a user sees for each kind of index entry.
TYPE_OF_KIND = {EntryKind.DOCUMENT_PAGE: "document", EntryKind.NOTE: "note", EntryKind.ENTITY: "entity"}


@dataclass(frozen=True)
class SearchHit:
    type: str
    """document, note or entity."""
    object_id: str
    case_number: str
    page_no: int | None
    title: str
    snippet: Snippet
    date: datetime | None
    author: str
    media_type: str
    labels: tuple[str, ...]
    score: float

    def web_path(self, query: str) -> str:
        """Return the result's page in the web UI; a document opens at its page, query marked."""
        case = quote(self.case_number, safe="")
        object_id = quote(self.object_id, safe="")
        if self.type == "document":
            if not self.page_no:
                return f"/documents/{object_id}?q={quote(query, safe='')}"
            page = self.page_no
            return f"/documents/{object_id}?q={quote(query, safe='')}&page={page}#page-{page}"
        if self.type == "entity":
            return f"/cases/{case}/entities/{object_id}"
        return f"/cases/{case}#note-{object_id}"


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    total: int
    page: int
    page_size: int
    sort: str
    case_number: str | None
    """The case searched, or None for every case the user may see."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def search(session: Session, ctx: RequestContext, request: SearchRequest) -> SearchPage:
    """Run ``request`` as ``ctx``'s user; see the module docstring for access and audit."""
    policy.require_authenticated(ctx)
    checked = check_request(request)
    case: Case | None = None
    if checked.case is not None:
        case = open_case(session, ctx, checked.case, CasePermission.READ, "search.query").case
    else:
        ctx = ctx.with_purpose(policy.require_search_purpose(ctx))

    compiled = compile_query(session, checked.parsed.expression)
    visible = visible_condition(session, ctx.actor)
    match = engine_match(session, compiled, scope_tokens(session, visible, case.id if case else None))
    conditions = filter_conditions(checked, case.id if case is not None else None)
    use_custom_plans(session)
    ranked = rank_matches(session, match, visible, conditions, checked)
    total = ranked.total if ranked.total is not None else count_matches(session, match, visible, conditions)
    rows = [(entry, number, ranked.scores[entry.id]) for entry, number in load_entries(session, ranked.ids)]
    hits = [_hit(entry, number, score, compiled.highlighter) for entry, number, score in rows]

    _audit(session, ctx, checked, case, total=total, entries=[entry for entry, _, _ in rows])
    log.info(
        "search_query",
        request_id=ctx.request_id,
        actor_id=ctx.actor.user_id,
        case_id=case.id if case is not None else None,
        total=total,
    )
    return SearchPage(
        hits=hits,
        total=total,
        page=checked.page,
        page_size=checked.page_size,
        sort=checked.sort,
        case_number=case.number if case is not None else None,
    )


def _hit(entry: SearchEntry, case_number: str, score: float, highlighter: Highlighter) -> SearchHit:
    return SearchHit(
        type=TYPE_OF_KIND.get(entry.kind, entry.kind),
        object_id=entry.object_id,
        case_number=case_number,
        page_no=entry.page_no,
        title=entry.title,
        snippet=build_snippet(entry.body, highlighter),
        date=entry.entry_date,
        author=entry.author,
        media_type=entry.media_type,
        labels=tuple(label for label in entry.labels.split("|") if label),
        score=score,
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _audit(
    session: Session,
    ctx: RequestContext,
    checked: CheckedRequest,
    case: Case | None,
    *,
    total: int,
    entries: list[SearchEntry],
) -> None:
    detail: dict[str, Any] = {
        "query_sha256": _digest(checked.text),
        "scope": "case" if case is not None else "visible_cases",
        "types": [TYPE_OF_KIND[kind] for kind in checked.kinds],
        "date_from": checked.lower.isoformat() if checked.lower else None,
        "date_to": checked.upper.isoformat() if checked.upper else None,
        "author_sha256": [_digest(author) for author in checked.authors],
        "labels": list(checked.labels),
        "sort": str(checked.sort),
        "page": checked.page,
        "total": total,
        "result_case_ids": sorted({entry.case_id for entry in entries}),
    }
    record(
        session,
        ctx.audit_source,
        AuditAction.SEARCH_QUERY,
        object_type="search",
        case_id=case.id if case is not None else None,
        detail=detail,
    )

"""Page data of the document views: the case's document list and one document with its pages.

Search words (``q``) are highlighted on the server: the page text is cut into plain and matching
segments, and the template escapes each and wraps the matches in ``<mark>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from casetrail.auth.context import RequestContext
from casetrail.documents import families, mentions, queries
from casetrail.documents.capture_time import format_local_time, unzoned_capture_time
from casetrail.documents.models import DOCUMENT_STATUSES, Document, DocumentMention, DocumentPage
from casetrail.documents.queries import DocumentView
from casetrail.entities.models import CaseEntity
from casetrail.entities.service import list_entities
from casetrail.web.document_meta import meta_entries
from casetrail.web.templating import format_datetime

LIST_PAGE_SIZE = 50
# Pages of text shown at once in the viewer; a longer document is read in ranges.
VIEW_PAGES = 20
MAX_HIGHLIGHT_WORDS = 10
# Entities offered in the "add to entity" list of a mention.
MAX_ENTITY_CHOICES = 200
# From this many entities on, the "add to entity" list gets a filter box.
ENTITY_FILTER_FROM = 10
ACTIVE_STATUSES = ("queued", "processing")


@dataclass(frozen=True)
class Segment:
    text: str
    match: bool


@dataclass(frozen=True)
class ShownPage:
    page_no: int
    ocr: bool
    has_image: bool
    segments: list[Segment]
    matches: int


def highlight_words(query: str) -> list[str]:
    words = [word for word in re.split(r"\s+", query.strip()) if len(word) >= 2]
    return words[:MAX_HIGHLIGHT_WORDS]


def highlight(text: str, words: list[str]) -> list[Segment]:
    """Cut ``text`` into segments, marking case-insensitive occurrences of ``words``."""
    if not words:
        return [Segment(text, False)]
    pattern = re.compile(
        "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.IGNORECASE
    )
    segments: list[Segment] = []
    position = 0
    for found in pattern.finditer(text):
        if found.start() > position:
            segments.append(Segment(text[position : found.start()], False))
        segments.append(Segment(found.group(0), True))
        position = found.end()
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return segments


def build_list_page(
    session: Session, ctx: RequestContext, number: str, *, status: str, offset: int
) -> dict[str, Any]:
    chosen = status if status in DOCUMENT_STATUSES else None
    listed = families.list_document_families(
        session, ctx, number, status=chosen, limit=LIST_PAGE_SIZE, offset=max(offset, 0)
    )
    return {
        "case": listed.case,
        "rows": listed.rows,
        "total": listed.total,
        "offset": offset,
        "page_size": LIST_PAGE_SIZE,
        "status_filter": chosen or "",
        "statuses": DOCUMENT_STATUSES,
        "active": [row.document.id for row in listed.rows if row.document.status in ACTIVE_STATUSES],
    }


def build_document_page(
    session: Session, ctx: RequestContext, document_id: str, *, query: str, first_page: int
) -> dict[str, Any]:
    view = queries.get_document(session, ctx, document_id)
    words = highlight_words(query)
    start = max(first_page, 1)
    pages = [
        _shown(page, words)
        for page in queries.get_pages(session, ctx, document_id)
        if start <= page.page_no < start + VIEW_PAGES
    ]
    found = mentions.list_mentions(session, ctx, document_id) if view.document.status == "ingested" else []
    lineage = families.get_lineage(session, ctx, document_id)
    return {
        "view": view,
        "ancestors": lineage.ancestors,
        "copies": lineage.copies,
        "document": view.document,
        "case": view.access.case,
        "can_write": view.access.can_write,
        "preview": preview_kind(view.document),
        "thumbnails": [
            page for page in view.pages if page.has_image and view.document.media_type.startswith("video/")
        ],
        "pages": pages,
        "page_count": len(view.pages),
        "first_page": start,
        "view_pages": VIEW_PAGES,
        "query": query,
        "words": words,
        "date_text": shown_date(view.document),
        "meta_entries": meta_entries(view.document.meta or {}),
        "mentions": found,
        "entities": _entity_choices(session, ctx, view, found),
        "entity_filter_from": ENTITY_FILTER_FROM,
    }


def _shown(page: DocumentPage, words: list[str]) -> ShownPage:
    segments = highlight(page.text, words)
    return ShownPage(
        page_no=page.page_no,
        ocr=page.ocr,
        has_image=page.image_sha256 is not None,
        segments=segments,
        matches=sum(1 for segment in segments if segment.match),
    )


def _entity_choices(
    session: Session, ctx: RequestContext, view: DocumentView, found: list[DocumentMention]
) -> list[CaseEntity]:
    if view.access.case is None or not view.access.can_write:
        return []
    if not any(mention.status == "suggested" for mention in found):
        return []
    # NOTE: a case with more than MAX_ENTITY_CHOICES entities offers only the first ones in
    # schema-then-caption order; the rest can be reached from the entity page.
    listed = list_entities(session, ctx, view.access.case.number, limit=MAX_ENTITY_CHOICES).items
    return sorted(listed, key=lambda entity: (entity.caption.casefold(), entity.schema, entity.entity_id))


def shown_date(document: Document) -> str:
    """Return the document's date for display: a capture time with no zone stays in local time."""
    local = unzoned_capture_time(document.meta)
    if local is not None:
        return format_local_time(local)
    return format_datetime(document.document_date)


def preview_kind(document: Document) -> str:
    """Return how the original can be shown in the page: image, video, audio or none."""
    media_type = document.media_type
    for kind in ("image", "video", "audio"):
        if media_type.startswith(f"{kind}/"):
            return kind
    return ""

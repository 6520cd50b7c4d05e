"""A search request as callers give it, checked field by field; errors name the bad parameter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from casetrail.core.errors import ValidationFailed
from casetrail.search.models import EntryKind
from casetrail.search.syntax import ParsedQuery, parse_query

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# Deep pages are slow on both engines and rarely read; narrow the search instead.
MAX_RESULT_WINDOW = 10_000
MAX_FILTER_LENGTH = 200
_DATE = re.compile(r"^(?P<year>\d{4})(-(?P<month>\d{2})(-(?P<day>\d{2}))?)?$")

# The result types users choose from, and the index entries each one covers.
TYPES = {"document": EntryKind.DOCUMENT_PAGE, "note": EntryKind.NOTE, "entity": EntryKind.ENTITY}


class SortOrder(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True)
class SearchRequest:
    q: str
    case: str | None = None
    types: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    author: str | None = None
    label: str | None = None
    sort: str = SortOrder.RELEVANCE
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class CheckedRequest:
    """A request with its query parsed and the filters of query and parameters combined."""

    text: str
    """The query as the user typed it."""
    parsed: ParsedQuery
    case: str | None
    kinds: tuple[str, ...]
    lower: datetime | None
    upper: datetime | None
    """Exclusive upper bound of the entry date."""
    authors: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    sort: SortOrder = SortOrder.RELEVANCE
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def check_request(request: SearchRequest) -> CheckedRequest:
    parsed = parse_query(request.q)
    filters = parsed.filters
    case = _one_case([*_given(request.case), *filters.get("case", [])])
    kinds = _kinds(list(request.types), filters.get("type", []))
    # A filter typed into the query is reported against q and by its own spelling (from:...).
    lower = _latest(
        [
            *(_bound(value, "date_from", "date_from", upper=False) for value in _given(request.date_from)),
            *(_bound(value, "q", "from:", upper=False) for value in filters.get("from", [])),
        ]
    )
    upper = _earliest(
        [
            *(_bound(value, "date_to", "date_to", upper=True) for value in _given(request.date_to)),
            *(_bound(value, "q", "to:", upper=True) for value in filters.get("to", [])),
        ]
    )
    if lower is not None and upper is not None and lower >= upper:
        raise ValidationFailed("date_from is after date_to: swap them", {"date_from": "after date_to"})
    authors = tuple(
        _text_filter(value, "author") for value in [*_given(request.author), *filters.get("author", [])]
    )
    labels = tuple(
        _text_filter(value, "label") for value in [*_given(request.label), *filters.get("label", [])]
    )
    sort = _sort(request.sort)
    _check_page(request.page, request.page_size)
    return CheckedRequest(
        text=request.q,
        parsed=parsed,
        case=case,
        kinds=kinds,
        lower=lower,
        upper=upper,
        authors=authors,
        labels=labels,
        sort=sort,
        page=request.page,
        page_size=request.page_size,
    )


def _given(value: str | None) -> list[str]:
    return [value.strip()] if value is not None and value.strip() else []


def _one_case(numbers: list[str]) -> str | None:
    distinct = sorted(set(numbers))
    if len(distinct) > 1:
        raise ValidationFailed(
            f"search one case or all of them, not {', '.join(distinct)}: leave out case to search every case",
            {"case": "more than one case"},
        )
    return distinct[0] if distinct else None


def _kinds(from_parameter: list[str], from_query: list[str]) -> tuple[str, ...]:
    """Return the entry kinds to search; types named both ways must all hold (intersection)."""
    chosen = set(TYPES)
    for names, parameter, label in ((from_parameter, "types", "type"), (from_query, "q", "type:")):
        cleaned = {name.strip().lower() for name in names if name.strip()}
        for name in sorted(cleaned - set(TYPES)):
            raise ValidationFailed(
                f"unknown {label} {name!r}: use {', '.join(TYPES)}", {parameter: f"unknown type {name}"}
            )
        if cleaned:
            chosen &= cleaned
    return tuple(TYPES[name] for name in sorted(chosen))


def _bound(value: str, parameter: str, label: str, *, upper: bool) -> datetime:
    """Return the start of the day, month or year ``value`` names, or the start of the next.

    ``parameter`` is the request field an error is reported against, ``label`` how the message
    names the value (``date_from``, or ``from:`` for a filter typed into the query).
    """
    match = _DATE.match(value)
    if match is None:
        raise ValidationFailed(
            f"invalid {label} {value[:40]!r}: use YYYY, YYYY-MM or YYYY-MM-DD",
            {parameter: "invalid date"},
        )
    year, month, day = int(match["year"]), int(match["month"] or 1), int(match["day"] or 1)
    try:
        start = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        message = f"invalid {label} {value!r}: no such date"
        raise ValidationFailed(message, {parameter: "invalid date"}) from None
    if not upper:
        return start
    if match["day"]:
        return start.fromordinal(start.toordinal() + 1).replace(tzinfo=UTC)
    if match["month"]:
        return start.replace(year=year + month // 12, month=month % 12 + 1)
    return start.replace(year=year + 1)


def _latest(values: list[datetime]) -> datetime | None:
    return max(values) if values else None


def _earliest(values: list[datetime]) -> datetime | None:
    return min(values) if values else None


def _text_filter(value: str, parameter: str) -> str:
    if len(value) > MAX_FILTER_LENGTH:
        raise ValidationFailed(
            f"{parameter} is limited to {MAX_FILTER_LENGTH} characters, got {len(value)}",
            {parameter: "too long"},
        )
    return value


def _sort(value: str) -> SortOrder:
    try:
        return SortOrder(value)
    except ValueError:
        raise ValidationFailed(
            f"unknown sort {value!r}: use {', '.join(SortOrder)}", {"sort": "unknown order"}
        ) from None


def _check_page(page: int, page_size: int) -> None:
    if page < 1:
        raise ValidationFailed(f"page must be 1 or more, got {page}", {"page": "out of range"})
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}", {"page_size": "out of range"}
        )
    if page * page_size > MAX_RESULT_WINDOW:
        raise ValidationFailed(
            f"only the first {MAX_RESULT_WINDOW} results can be paged through: narrow the search "
            "with a case, type, date range or more words",
            {"page": "beyond the result window"},
        )

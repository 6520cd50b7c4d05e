"""Which cases a graph query reads, and the filters it applies, checked before any graph is built.

A query names one case, or none for every case the actor may see. Reading across cases needs a
stated purpose, which the audit trail keeps with each query (``RequestContext.purpose``).
Cases the policy hides are never read: one case is opened through ``open_case`` (a hidden case
reads as not found), and the cross-case set is selected with the policy's SQL condition.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from followthemoney import model
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import open_case, visible_cases
from casetrail.cases.models import Case
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.graph.builder import lower_bound, upper_bound
from casetrail.graph.loader import load_graph
from casetrail.graph.model import VALUE_TYPES, EdgeFilter, LinkGraph, NodeFilter

DATE_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MAX_FILTER_VALUES = 50
MAX_PURPOSE_LENGTH = 500


@dataclass(frozen=True)
class GraphTarget:
    """The cases a query reads: ``number`` for one case, else every visible case or ``cases``."""

    number: str | None = None
    cases: tuple[str, ...] = ()

    @property
    def cross_case(self) -> bool:
        return self.number is None


@dataclass(frozen=True)
class GraphScope:
    graph: LinkGraph
    case_numbers: dict[str, str]
    """Number of each case read, by case id."""
    case: Case | None
    """The one case read, for single-case queries."""

    @property
    def case_id(self) -> str | None:
        return self.case.id if self.case is not None else None

    def describe(self) -> str:
        return f"case {self.case.number}" if self.case is not None else "the cases you may see"

    def require_node(self, key: str) -> str:
        if key not in self.graph:
            raise NotFound(f"entity {key} not found in {self.describe()}: check the id or the case")
        return key


@dataclass(frozen=True)
class GraphFilters:
    """Filters as a caller gives them: schema names, relationship types and a date range."""

    schemata: Sequence[str] = ()
    relations: Sequence[str] = ()
    date_from: str | None = None
    date_to: str | None = None
    include_undated: bool = True

    def node_filter(self) -> NodeFilter:
        for name in self.schemata:
            if model.get(name) is None and name not in VALUE_TYPES:
                raise ValidationFailed(
                    f"unknown schema {name!r}: use an FtM schema such as Person, "
                    f"or one of {', '.join(VALUE_TYPES)} for shared values",
                    {"schema": "unknown"},
                )
        return NodeFilter(frozenset(_limited(self.schemata, "schema")))

    def edge_filter(self) -> EdgeFilter:
        date_from = _check_date(self.date_from, "date_from")
        date_to = _check_date(self.date_to, "date_to")
        lower = lower_bound(date_from) if date_from else None
        upper = upper_bound(date_to) if date_to else None
        if lower is not None and upper is not None and lower > upper:
            raise ValidationFailed(
                f"date_from {date_from} is after date_to {date_to}: swap them", {"date_from": "after date_to"}
            )
        return EdgeFilter(
            relations=frozenset(_limited(self.relations, "relation")),
            date_from=lower,
            date_to=upper,
            include_undated=self.include_undated,
        )

    def as_detail(self) -> dict[str, object]:
        """Return the filters for the audit trail: names and dates, no case content."""
        return {
            "schemata": list(self.schemata),
            "relations": list(self.relations),
            "date_from": self.date_from,
            "date_to": self.date_to,
            "include_undated": self.include_undated,
        }


def _limited(values: Sequence[str], field_name: str) -> list[str]:
    cleaned = [value.strip() for value in values if value and value.strip()]
    if len(cleaned) > MAX_FILTER_VALUES:
        raise ValidationFailed(
            f"at most {MAX_FILTER_VALUES} {field_name} filters are allowed, got {len(cleaned)}",
            {field_name: "too many"},
        )
    return cleaned


def _check_date(value: str | None, field_name: str) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not DATE_PATTERN.match(value):
        raise ValidationFailed(
            f"invalid {field_name} {value[:40]!r}: use YYYY, YYYY-MM or YYYY-MM-DD",
            {field_name: "invalid date"},
        )
    return value


def require_purpose(ctx: RequestContext) -> str:
    purpose = (ctx.purpose or "").strip()
    if not purpose:
        raise ValidationFailed(
            "a graph query across cases needs a stated purpose: say why you search, "
            "for example 'deconflict the hub phone of case 2026-0142'; the audit trail keeps it",
            {"purpose": "missing"},
        )
    if len(purpose) > MAX_PURPOSE_LENGTH:
        raise ValidationFailed(
            f"the purpose is limited to {MAX_PURPOSE_LENGTH} characters", {"purpose": "too long"}
        )
    return purpose


def _visible_cases(session: Session, ctx: RequestContext) -> list[Case]:
    visible = visible_cases(session, ctx.actor)
    return list(session.execute(select(Case).where(visible).order_by(Case.number)).scalars())


def open_scope(session: Session, ctx: RequestContext, target: GraphTarget, attempted: str) -> GraphScope:
    """Check access to the target cases and build their graph."""
    if target.number is not None:
        case = open_case(session, ctx, target.number, CasePermission.READ, attempted).case
        graph = load_graph(session, [case.id])
        return GraphScope(graph, {case.id: case.number}, case)
    require_purpose(ctx)
    if target.cases:
        cases = [
            open_case(session, ctx, number, CasePermission.READ, attempted).case for number in target.cases
        ]
    else:
        cases = _visible_cases(session, ctx)
    graph = load_graph(session, [case.id for case in cases])
    return GraphScope(graph, {case.id: case.number for case in cases}, None)

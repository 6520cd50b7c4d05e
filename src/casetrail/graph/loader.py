"""Reading the rows of a link graph from the database in one streamed query per build."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from casetrail.entities.models import CaseEntity, Statement
from casetrail.entities.statements import merge_redirects
from casetrail.graph.builder import DATE_PROPS, LABEL_PROPS, BuildReport, GraphRow, build_graph
from casetrail.graph.model import VALUE_TYPES, LinkGraph

_YIELD_PER = 10_000


def graph_rows(session: Session, case_ids: Sequence[str]) -> Iterator[GraphRow]:
    """Yield every live entity of the cases with its graph-relevant statements, grouped by entity.

    An entity with no such statement (a Person known only by name) comes as one row with
    ``prop`` None, so that it is still a node. Merged-away entities are left out: their
    statements now belong to the winner.
    """
    relevant = or_(
        Statement.prop_type.in_(("entity", *VALUE_TYPES)),
        Statement.prop.in_((*DATE_PROPS, *LABEL_PROPS)),
    )
    joined = and_(
        Statement.case_id == CaseEntity.case_id,
        Statement.canonical_id == CaseEntity.entity_id,
        Statement.retracted_at.is_(None),
        relevant,
    )
    query = (
        select(
            CaseEntity.case_id,
            CaseEntity.entity_id,
            CaseEntity.schema,
            CaseEntity.caption,
            Statement.prop,
            Statement.prop_type,
            Statement.value,
        )
        .select_from(CaseEntity)
        .outerjoin(Statement, joined)
        .where(CaseEntity.case_id.in_(case_ids), CaseEntity.merged_into.is_(None))
        .order_by(CaseEntity.case_id, CaseEntity.entity_id)
        .execution_options(yield_per=_YIELD_PER)
    )
    for row in session.execute(query):
        yield GraphRow(*row)


def load_graph(session: Session, case_ids: Sequence[str]) -> tuple[LinkGraph, BuildReport]:
    """Build the link graph of the given cases. The caller has checked that the actor may read them."""
    redirects = {case_id: merge_redirects(session, case_id) for case_id in case_ids}
    return build_graph(graph_rows(session, case_ids), redirects)

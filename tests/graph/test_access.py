"""Need-to-know in graph queries: hidden cases give no node, cross-case work needs a purpose."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.auth.context import RequestContext, operator_context
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.entities import service as entity_service
from casetrail.entities.statements import Source, SourceType
from casetrail.graph import service
from casetrail.graph.scope import GraphTarget
from tests.factories import context_for, make_case, make_user
from tests.graph.scenario import HUB, OWNER_PHONE, Scenario, build_scenario

PURPOSE = "deconflict the hub phone before the search"


@pytest.fixture
def two_cases(factory: sessionmaker[Session], analyst: RequestContext) -> tuple[Scenario, RequestContext]:
    """Okafor's case contains the hub scenario; Rivera, in another unit, has a case with the hub too."""
    make_case(factory, "okafor", title="Night visits", number="2026-0142")
    scenario = build_scenario(factory, analyst, "2026-0142")
    rivera = context_for(make_user(factory, "rivera", unit="Robbery Unit"))
    make_case(factory, "rivera", title="Car thefts", number="2025-0911")
    with transaction(factory) as session:
        entity_service.create_entity(
            session, rivera, "2025-0911", schema="Person",
            properties={"name": ["Ada Kerr"], "phone": [HUB]}, source=Source(SourceType.MANUAL),
            entity_id="person-kerr",
        )  # fmt: skip
        entity_service.create_entity(
            session, rivera, "2025-0911", schema="Person",
            properties={"name": ["Ben Kerr"], "phone": [HUB]}, source=Source(SourceType.MANUAL),
            entity_id="person-ben",
        )  # fmt: skip
    return scenario, rivera


def test_hidden_case_reads_as_not_found(
    factory: sessionmaker[Session], two_cases: tuple[Scenario, RequestContext]
) -> None:
    scenario, rivera = two_cases
    with pytest.raises(NotFound), transaction(factory) as session:
        service.neighbours(session, rivera, GraphTarget("2026-0142"), starts=[scenario.owner])


def test_hidden_entity_not_found_elsewhere(
    factory: sessionmaker[Session], two_cases: tuple[Scenario, RequestContext]
) -> None:
    scenario, rivera = two_cases
    with pytest.raises(NotFound), transaction(factory) as session:
        service.neighbours(session, rivera, GraphTarget("2025-0911"), starts=[scenario.owner])


def test_cross_case_needs_purpose(
    factory: sessionmaker[Session], two_cases: tuple[Scenario, RequestContext]
) -> None:
    _, rivera = two_cases
    with pytest.raises(ValidationFailed) as raised, transaction(factory) as session:
        service.centrality(session, rivera, GraphTarget())
    assert raised.value.errors == {"purpose": "missing"}


def test_cross_case_graph_leaves_out_hidden_cases(
    factory: sessionmaker[Session], two_cases: tuple[Scenario, RequestContext]
) -> None:
    scenario, rivera = two_cases
    with transaction(factory) as session:
        answer = service.neighbours(
            session, rivera.with_purpose(PURPOSE), GraphTarget(), starts=[scenario.hub], hops=3
        )
    keys = {node.key for node in answer.value.nodes}
    assert keys == {scenario.hub, "person-kerr", "person-ben"}
    assert set(answer.case_numbers.values()) == {"2025-0911"}


def test_shared_value_joins_visible_cases(
    factory: sessionmaker[Session], two_cases: tuple[Scenario, RequestContext]
) -> None:
    scenario, _ = two_cases
    # The local operator sees both cases, so the hub joins the people of both.
    with transaction(factory) as session:
        answer = service.neighbours(
            session, operator_context().with_purpose(PURPOSE), GraphTarget(), starts=[scenario.hub], hops=1
        )
    hub = next(node for node in answer.value.nodes if node.key == scenario.hub)
    keys = {node.key for node in answer.value.nodes}
    assert {"person-kerr", f"phone:{OWNER_PHONE}"} <= keys
    assert len(hub.case_ids) == 2


def test_cross_case_query_records_purpose(
    factory: sessionmaker[Session], two_cases: tuple[Scenario, RequestContext]
) -> None:
    _, rivera = two_cases
    with transaction(factory) as session:
        service.centrality(session, rivera.with_purpose(PURPOSE), GraphTarget(), limit=5)
    with transaction(factory) as session:
        entry = (
            session.execute(
                select(AuditRecord)
                .where(AuditRecord.action == "graph.query")
                .order_by(AuditRecord.seq.desc())
            )
            .scalars()
            .first()
        )
    assert entry is not None
    assert entry.purpose == PURPOSE
    assert entry.detail["query"] == "centrality"
    assert entry.case_id is None


def test_named_hidden_case_not_found(
    factory: sessionmaker[Session], two_cases: tuple[Scenario, RequestContext]
) -> None:
    _, rivera = two_cases
    with pytest.raises(NotFound), transaction(factory) as session:
        service.centrality(
            session, rivera.with_purpose(PURPOSE), GraphTarget(cases=("2025-0911", "2026-0142"))
        )


def test_audit_hashes_value_node_keys(
    factory: sessionmaker[Session], analyst: RequestContext, two_cases: tuple[Scenario, RequestContext]
) -> None:
    scenario, _ = two_cases
    with transaction(factory) as session:
        service.neighbours(session, analyst, GraphTarget("2026-0142"), starts=[scenario.hub, scenario.owner])
    with transaction(factory) as session:
        entry = session.execute(select(AuditRecord).where(AuditRecord.action == "graph.query")).scalar_one()
    starts = entry.detail["starts"]
    assert starts[0] == "phone:sha256:" + hashlib.sha256(scenario.hub.encode()).hexdigest()
    assert starts[1] == scenario.owner
    assert HUB not in str(entry.detail)

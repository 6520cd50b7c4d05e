"""Decisions on a cross-case candidate: visible to someone in both cases, linked, reversible, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.audit.verify import verify_chain
from casetrail.auth.context import operator_context
from casetrail.auth.models import User
from casetrail.cases import members
from casetrail.core.errors import Conflict, NotFound, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.entities import service as entity_service
from casetrail.xref import service as xref_service
from casetrail.xref.models import SameAsLink
from tests.factories import context_for
from tests.xref.scenario import OKAFOR_ONLY_PHONE, Scenario, build_scenario, make_account


def _analyst_in_both(factory: sessionmaker[Session], scenario: Scenario) -> User:
    analyst = make_account(factory, "ana", "Ana Lyst", "Unit A", role="analyst")
    with transaction(factory) as session:
        for case in (scenario.rivera_case, scenario.okafor_case):
            members.add_member(session, operator_context(), case.number, username="ana", role="analyst")
    return analyst


def _candidate_id(factory: sessionmaker[Session], user: User, number: str) -> str:
    with transaction(factory) as session:
        views = xref_service.list_case_candidates(session, context_for(user), number)
        return views[0].candidate.id


def test_member_of_both_sees_candidate(factory: sessionmaker[Session]) -> None:
    scenario = build_scenario(factory)
    analyst = _analyst_in_both(factory, scenario)
    with transaction(factory) as session:
        views = xref_service.list_case_candidates(session, context_for(analyst), scenario.rivera_case.number)
        sides = {views[0].left.case_number, views[0].right.case_number}
    assert sides == {scenario.rivera_case.number, scenario.okafor_case.number}


def test_confirm_links_without_mixing_facts(factory: sessionmaker[Session]) -> None:
    scenario = build_scenario(factory)
    analyst = _analyst_in_both(factory, scenario)
    candidate_id = _candidate_id(factory, analyst, scenario.rivera_case.number)
    with transaction(factory) as session:
        xref_service.decide(
            session, context_for(analyst), candidate_id, verdict="confirmed", reason="same passport"
        )
    with transaction(factory) as session:
        links = list(session.execute(select(SameAsLink)).scalars())
        view = entity_service.get_entity(
            session, context_for(scenario.rivera), scenario.rivera_case.number, scenario.rivera_entity
        )
    assert len(links) == 1
    assert {stmt.case_id for stmt in view.statements} == {scenario.rivera_case.id}
    assert OKAFOR_ONLY_PHONE not in view.proxy.get("phone")


def test_retract_reopens_and_keeps_history(factory: sessionmaker[Session]) -> None:
    scenario = build_scenario(factory)
    analyst = _analyst_in_both(factory, scenario)
    ctx = context_for(analyst)
    candidate_id = _candidate_id(factory, analyst, scenario.rivera_case.number)
    with transaction(factory) as session:
        decision = xref_service.decide(
            session, ctx, candidate_id, verdict="rejected", reason="different father"
        )
    with transaction(factory) as session:
        xref_service.retract_decision(session, ctx, decision.id, reason="checked again")
    with transaction(factory) as session, pytest.raises(Conflict):
        xref_service.retract_decision(session, ctx, decision.id, reason="twice")
    with transaction(factory) as session:
        view = xref_service.get_candidate(session, ctx, candidate_id)
        actions = list(
            session.execute(
                select(AuditRecord.action)
                .where(AuditRecord.object_id == decision.id)
                .order_by(AuditRecord.seq)
            ).scalars()
        )
        chain_ok = verify_chain(session).ok
    assert view.candidate.status == "open"
    assert view.decisions[0].retraction_reason == "checked again"
    assert actions == ["xref.decision", "xref.decision_retract"]
    assert chain_ok


def test_decision_needs_reason(factory: sessionmaker[Session]) -> None:
    scenario = build_scenario(factory)
    analyst = _analyst_in_both(factory, scenario)
    candidate_id = _candidate_id(factory, analyst, scenario.rivera_case.number)
    with transaction(factory) as session, pytest.raises(ValidationFailed):
        xref_service.decide(session, context_for(analyst), candidate_id, verdict="confirmed", reason=" ")


def test_lead_cannot_see_cross_case_candidate(factory: sessionmaker[Session]) -> None:
    scenario = build_scenario(factory)
    analyst = _analyst_in_both(factory, scenario)
    candidate_id = _candidate_id(factory, analyst, scenario.rivera_case.number)
    with transaction(factory) as session, pytest.raises(NotFound):
        xref_service.get_candidate(session, context_for(scenario.rivera), candidate_id)

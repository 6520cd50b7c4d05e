"""The demo's two leads about one warehouse arrive grouped, and a second load adds none."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.demo.loader import load_demo
from casetrail.leads.models import Lead


def test_demo_leads_are_grouped(factory: sessionmaker[Session], settings: Settings) -> None:
    with transaction(factory) as session:
        first = load_demo(session, operator_context(), settings)
    with transaction(factory) as session:
        second = load_demo(session, operator_context(), settings)
        groups = list(session.execute(select(Lead.group_id)).scalars())
    assert len(first.leads_created) == 2
    assert second.leads_created == []
    assert len(groups) == 2
    assert groups[0] is not None
    assert groups[0] == groups[1]

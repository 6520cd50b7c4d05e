"""Services end to end on both backends: a case, an import, need-to-know and the audit chain."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.verify import verify_chain
from casetrail.auth.context import operator_context
from casetrail.cases import service as case_service
from casetrail.core.errors import NotFound
from casetrail.db.engine import transaction
from casetrail.entities import service as entity_service
from casetrail.exchange.ftm_import import import_ftm_file
from tests.conftest import DATA_DIR
from tests.factories import context_for, make_case, make_user


def test_import_and_need_to_know(factory: sessionmaker[Session]) -> None:
    alice = make_user(factory, "alice", unit="Unit A")
    bob = make_user(factory, "bob", unit="Unit B")
    case = make_case(factory, "alice", title="Zala")
    with transaction(factory) as session:
        report = import_ftm_file(
            session,
            operator_context(),
            case.number,
            DATA_DIR / "ftm_opensanctions_zala_slice.ftm.json",
            skip_invalid_values=True,
        )
    assert report.entities == 91
    with transaction(factory) as session:
        page = entity_service.list_entities(session, context_for(alice), case.number, schema="Person")
        assert page.total == 6
    with transaction(factory) as session, pytest.raises(NotFound):
        case_service.get_case(session, context_for(bob), case.number)
    with transaction(factory) as session:
        assert verify_chain(session).ok

"""Builders for common shapes of test data, committed through the real services."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth import service as auth_service
from casetrail.auth.context import RequestContext, operator_context
from casetrail.auth.models import User
from casetrail.cases import service as case_service
from casetrail.cases.models import Case
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction

PASSWORD = "correct horse battery staple"


def make_user(
    factory: sessionmaker[Session],
    username: str,
    *,
    role: str = "investigator",
    unit: str | None = "Unit A",
    clearance: str = "secret",
    password: str = PASSWORD,
) -> User:
    with transaction(factory) as session:
        return auth_service.create_user(
            session,
            operator_context(),
            Settings(),
            username=username,
            password=password,
            role=role,
            clearance=clearance,
            unit_name=unit,
            display_name=username.title(),
        )


def make_case(
    factory: sessionmaker[Session],
    lead: str,
    *,
    title: str = "Test case",
    number: str | None = None,
    sensitivity: str = "restricted",
) -> Case:
    with transaction(factory) as session:
        return case_service.create_case(
            session,
            operator_context(),
            title=title,
            lead_username=lead,
            number=number,
            sensitivity=sensitivity,
        )


def context_for(user: User, *, purpose: str | None = None) -> RequestContext:
    return RequestContext(
        actor=auth_service.actor_for(user),
        client_addr="127.0.0.1",
        request_id="test-request",
        purpose=purpose,
    )

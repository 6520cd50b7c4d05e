"""The deconfliction story as test data: two agents in different units work the same target.

Agent Rivera (Unit A) leads one case, Sgt. Okafor (Narcotics Unit 3) leads another; neither can
see the other's case. Both record the same person under different spellings and scripts, with
the same phone and passport number. Each case also contains values the other must never see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth import service as auth_service
from casetrail.auth.context import operator_context
from casetrail.auth.models import User
from casetrail.cases.models import Case
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.entities import service as entity_service
from casetrail.entities.statements import Source, SourceType
from casetrail.xref.follower import follow_until_caught_up
from casetrail.xref.watchlists import LoadReport, load_watchlist_file
from tests.conftest import DATA_DIR
from tests.factories import PASSWORD, context_for, make_case

SHARED_PHONE = "+12025550100"
RIVERA_ONLY_PHONE = "+12025550177"
OKAFOR_ONLY_PHONE = "+442079460958"
OKAFOR_ONLY_EMAIL = "courier.k@example.org"
SHARED_PASSPORT = "AB1234567"


@dataclass(frozen=True)
class Scenario:
    rivera: User
    okafor: User
    supervisor: User
    rivera_case: Case
    okafor_case: Case
    rivera_entity: str
    okafor_entity: str
    okafor_title: str


def make_account(
    factory: sessionmaker[Session], username: str, display_name: str, unit: str, role: str = "investigator"
) -> User:
    with transaction(factory) as session:
        return auth_service.create_user(
            session,
            operator_context(),
            Settings(),
            username=username,
            password=PASSWORD,
            role=role,
            clearance="secret",
            unit_name=unit,
            display_name=display_name,
        )


def add_entity(
    factory: sessionmaker[Session], user: User, number: str, schema: str, properties: dict[str, Any]
) -> str:
    with transaction(factory) as session:
        view = entity_service.create_entity(
            session,
            context_for(user),
            number,
            schema=schema,
            properties=properties,
            source=Source(SourceType.MANUAL),
        )
        return str(view.record.entity_id)


def build_scenario(factory: sessionmaker[Session], *, follow: bool = True) -> Scenario:
    rivera = make_account(factory, "rivera", "Agent Rivera", "Unit A")
    okafor = make_account(factory, "okafor", "Sgt. Okafor", "Narcotics Unit 3")
    supervisor = make_account(factory, "sup", "Lt. Chen", "Unit A", role="supervisor")
    okafor_title = "Operation Nightjar"
    rivera_case = make_case(factory, "rivera", title="House on Elm Street", number="2026-0142")
    okafor_case = make_case(factory, "okafor", title=okafor_title, number="2025-0911")
    okafor_entity = add_entity(
        factory,
        okafor,
        okafor_case.number,
        "Person",
        {
            "name": ["Иван Петрович Соколов"],
            "birthDate": ["1979-04-12"],
            "phone": [SHARED_PHONE, OKAFOR_ONLY_PHONE],
            "email": [OKAFOR_ONLY_EMAIL],
            "passportNumber": [SHARED_PASSPORT],
        },
    )
    rivera_entity = add_entity(
        factory,
        rivera,
        rivera_case.number,
        "Person",
        {
            "name": ["Ivan Sokolov"],
            "birthDate": ["1979-04-12"],
            "phone": ["+1 202 555 0100", RIVERA_ONLY_PHONE],
            "passportNumber": ["AB 123 4567"],
        },
    )
    if follow:
        follow_until_caught_up(factory)
    return Scenario(
        rivera=rivera,
        okafor=okafor,
        supervisor=supervisor,
        rivera_case=rivera_case,
        okafor_case=okafor_case,
        rivera_entity=rivera_entity,
        okafor_entity=okafor_entity,
        okafor_title=okafor_title,
    )


def secrets_of_okafor(scenario: Scenario) -> list[str]:
    """Strings from Okafor's case that must never reach Rivera."""
    return [
        scenario.okafor_case.number,
        scenario.okafor_title,
        scenario.okafor_case.id,
        scenario.okafor_entity,
        OKAFOR_ONLY_PHONE,
        OKAFOR_ONLY_EMAIL,
        "Соколов",
    ]


def secrets_of_rivera(scenario: Scenario) -> list[str]:
    return [
        scenario.rivera_case.number,
        scenario.rivera_case.title,
        scenario.rivera_case.id,
        scenario.rivera_entity,
        RIVERA_ONLY_PHONE,
    ]


ZALA_FILE = DATA_DIR / "ftm_opensanctions_zala_slice.ftm.json"
ZAKHAROV_ID = "NK-aU5ybkbRFJucf8YMwsJvDw"


def load_zala(factory: sessionmaker[Session], name: str = "zala") -> LoadReport:
    with transaction(factory) as session:
        return load_watchlist_file(session, operator_context(), name, ZALA_FILE)


def add_zakharov(factory: sessionmaker[Session], user: User, number: str) -> str:
    """Record, in a case, a person who is on the Zala watch-list, spelled as a case agent might."""
    return add_entity(
        factory,
        user,
        number,
        "Person",
        {"name": ["Alexander Zakharov"], "birthDate": ["1965-09-21"], "nationality": ["ru"]},
    )

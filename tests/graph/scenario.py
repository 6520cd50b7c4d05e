"""A small case built through the entity services: a hub number that called two people.

The car owner and the company director each have a phone; forty calls go from one hub number
to each of them. The director also holds a passport and owns the company from 2019 on, and the
owner is an associate of a man who was later merged into him.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import RequestContext
from casetrail.db.engine import transaction
from casetrail.entities import service as entity_service
from casetrail.entities.statements import Source, SourceType

HUB = "+442079460100"
OWNER_PHONE = "+442079460111"
DIRECTOR_PHONE = "+442079460122"
CALLS_EACH = 40


@dataclass(frozen=True)
class Scenario:
    number: str
    owner: str = "person-owner"
    director: str = "person-director"
    company: str = "company-lease"
    passport: str = "passport-director"
    friend: str = "person-friend"
    hub: str = f"phone:{HUB}"


def _create(
    session: Session, ctx: RequestContext, case: str, entity_id: str, schema: str, **props: Any
) -> None:
    entity_service.create_entity(
        session,
        ctx,
        case,
        schema=schema,
        properties={name: value if isinstance(value, list) else [value] for name, value in props.items()},
        source=Source(SourceType.MANUAL),
        entity_id=entity_id,
    )


def build_scenario(factory: sessionmaker[Session], ctx: RequestContext, number: str) -> Scenario:
    scenario = Scenario(number)
    with transaction(factory) as session:
        _create(session, ctx, number, scenario.owner, "Person", name="Lena Brandt", phone=OWNER_PHONE)
        _create(session, ctx, number, scenario.director, "Person", name="Piet Okoro", phone=DIRECTOR_PHONE)
        _create(session, ctx, number, scenario.company, "Company", name="Northway Leasing Ltd")
        _create(session, ctx, number, scenario.friend, "Person", name="Tom Hale")
        _create(
            session, ctx, number, scenario.passport, "Passport", number="X1234567", holder=scenario.director
        )
        _create(
            session, ctx, number, "ownership-1", "Ownership",
            owner=scenario.director, asset=scenario.company, startDate="2019-05",
        )  # fmt: skip
        _create(
            session, ctx, number, "associate-1", "Associate", person=scenario.owner, associate=scenario.friend
        )
        for receiver, phone in ((scenario.owner, OWNER_PHONE), (scenario.director, DIRECTOR_PHONE)):
            for call in range(CALLS_EACH):
                _create(
                    session, ctx, number, f"call-{receiver}-{call}", "Call",
                    callerNumber=HUB, receiverNumber=phone, date=f"2026-02-{call % 28 + 1:02d}",
                )  # fmt: skip
    return scenario

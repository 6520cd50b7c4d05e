from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.search.scenario import Scenario, build_scenario
from tests.search.shared import shared_factory, shared_scenario, shared_url

__all__ = ["shared_factory", "shared_scenario", "shared_url"]


@pytest.fixture
def scenario(factory: sessionmaker[Session]) -> Scenario:
    return build_scenario(factory)

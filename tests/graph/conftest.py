"""Fixtures of the graph tests: an analyst's case holding a real network, on each backend."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import RequestContext
from casetrail.graph.scope import GraphTarget
from tests.factories import context_for, make_case, make_user
from tests.graph.networks import Network, isis_network, load_network, oversize_network

ISIS_CASE = "2026-0301"
OVERSIZE_CASE = "2026-0302"


@dataclass(frozen=True)
class LoadedNetwork:
    network: Network
    ctx: RequestContext
    target: GraphTarget


@pytest.fixture
def analyst(factory: sessionmaker[Session]) -> RequestContext:
    return context_for(make_user(factory, "okafor", unit="Narcotics Unit 3"))


@pytest.fixture
def isis_case(factory: sessionmaker[Session], analyst: RequestContext) -> LoadedNetwork:
    make_case(factory, "okafor", title="IS-E network", number=ISIS_CASE)
    network = isis_network()
    load_network(factory, analyst, ISIS_CASE, network, "ise_terrorNetwork.ftm.json")
    return LoadedNetwork(network, analyst, GraphTarget(number=ISIS_CASE))


@pytest.fixture
def oversize_case(factory: sessionmaker[Session], analyst: RequestContext) -> LoadedNetwork:
    make_case(factory, "okafor", title="Oversize wiretaps", number=OVERSIZE_CASE)
    network = oversize_network()
    load_network(factory, analyst, OVERSIZE_CASE, network, "oversize_calls.ftm.json")
    return LoadedNetwork(network, analyst, GraphTarget(number=OVERSIZE_CASE))

"""Graph queries on real covert networks, checked against networkx computed on the same files.

Each network is imported into a case as FtM entities through the import service; Casetrail then
builds its graph from the stored statements. The results must equal what networkx computes
directly from the dataset file: neighbourhoods, shortest path lengths and counts, simple paths,
common neighbours, degree and betweenness centrality.
"""

from __future__ import annotations

import networkx as nx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.db.engine import transaction
from casetrail.graph import service
from tests.graph.conftest import LoadedNetwork


@pytest.fixture(params=["isis_case", "oversize_case"])
def loaded(request: pytest.FixtureRequest) -> LoadedNetwork:
    network: LoadedNetwork = request.getfixturevalue(request.param)
    return network


def _starts(loaded: LoadedNetwork) -> list[str]:
    """Return the three best-connected nodes and three others, in a fixed order."""
    reference = loaded.network.reference
    by_degree = sorted(reference.nodes, key=lambda node: (-reference.degree(node), node))
    return [*by_degree[:3], *sorted(reference.nodes)[::29][:3]]


def _pairs(loaded: LoadedNetwork) -> list[tuple[str, str]]:
    nodes = sorted(loaded.network.reference.nodes)
    return [(nodes[number], nodes[-1 - number * 7]) for number in range(6)]


@pytest.mark.parametrize("hops", [1, 2, 3])
def test_neighbourhood_matches_networkx(
    factory: sessionmaker[Session], loaded: LoadedNetwork, hops: int
) -> None:
    key_of = loaded.network.key_of
    for start in _starts(loaded):
        expected = nx.single_source_shortest_path_length(loaded.network.reference, start, cutoff=hops)
        with transaction(factory) as session:
            answer = service.neighbours(
                session, loaded.ctx, loaded.target, starts=[key_of[start]], hops=hops, max_nodes=10_000
            )
        found = {node.key: answer.value.depth[node.key] for node in answer.value.nodes}
        assert found == {key_of[node]: depth for node, depth in expected.items()}, start


def test_neighbourhood_edges_match_networkx(factory: sessionmaker[Session], loaded: LoadedNetwork) -> None:
    network = loaded.network
    start = _starts(loaded)[0]
    with transaction(factory) as session:
        answer = service.neighbours(
            session, loaded.ctx, loaded.target, starts=[network.key_of[start]], hops=1
        )
    names = [network.name_of(node.key) for node in answer.value.nodes]
    expected = {
        frozenset((network.key_of[a], network.key_of[b])) for a, b in network.reference.subgraph(names).edges
    }
    assert {frozenset((edge.source, edge.target)) for edge in answer.value.edges} == expected


def test_shortest_path_lengths_match_networkx(factory: sessionmaker[Session], loaded: LoadedNetwork) -> None:
    reference = loaded.network.reference
    key_of = loaded.network.key_of
    for source, target in _pairs(loaded):
        with transaction(factory) as session:
            answer = service.paths(
                session, loaded.ctx, loaded.target, source=key_of[source], to=key_of[target],
                max_length=8, limit=500,
            )  # fmt: skip
        if not nx.has_path(reference, source, target):
            assert answer.value.paths == [], (source, target)
            continue
        expected = list(nx.all_shortest_paths(reference, source, target))
        lengths = {path.length for path in answer.value.paths}
        assert lengths == {nx.shortest_path_length(reference, source, target)}, (source, target)
        assert len(answer.value.paths) == len(expected), (source, target)


def test_shortest_paths_follow_edges(factory: sessionmaker[Session], loaded: LoadedNetwork) -> None:
    source, target = _pairs(loaded)[0]
    key_of = loaded.network.key_of
    with transaction(factory) as session:
        answer = service.paths(session, loaded.ctx, loaded.target, source=key_of[source], to=key_of[target])
    for path in answer.value.paths:
        for (left, right), step in zip(
            zip(path.nodes, path.nodes[1:], strict=False), path.edges, strict=True
        ):
            assert step, (left, right)
            assert all({edge.source, edge.target} == {left, right} for edge in step)


def test_simple_paths_match_networkx(factory: sessionmaker[Session], loaded: LoadedNetwork) -> None:
    reference = loaded.network.reference
    key_of = loaded.network.key_of
    source = _starts(loaded)[0]
    target = _starts(loaded)[1]
    with transaction(factory) as session:
        answer = service.paths(
            session, loaded.ctx, loaded.target, source=key_of[source], to=key_of[target],
            shortest=False, max_length=3, limit=500,
        )  # fmt: skip
    expected = {
        tuple(key_of[node] for node in path) for path in nx.all_simple_paths(reference, source, target, 3)
    }
    assert answer.value.truncated is False
    assert {tuple(path.nodes) for path in answer.value.paths} == expected


def test_common_neighbours_match_networkx(factory: sessionmaker[Session], loaded: LoadedNetwork) -> None:
    reference = loaded.network.reference
    key_of = loaded.network.key_of
    first, second = _starts(loaded)[:2]
    with transaction(factory) as session:
        answer = service.common_neighbours(
            session, loaded.ctx, loaded.target, keys=[key_of[first], key_of[second]]
        )
    expected = {key_of[node] for node in nx.common_neighbors(reference, first, second)}
    assert {item.node.key for item in answer.value} == expected


def test_degree_and_betweenness_match_networkx(factory: sessionmaker[Session], loaded: LoadedNetwork) -> None:
    reference = loaded.network.reference
    key_of = loaded.network.key_of
    with transaction(factory) as session:
        answer = service.centrality(session, loaded.ctx, loaded.target, limit=10_000)
    degree = {row.node.key: row.degree for row in answer.value}
    betweenness = {row.node.key: row.betweenness for row in answer.value}
    expected_betweenness = nx.betweenness_centrality(reference)
    assert degree == {key_of[node]: reference.degree(node) for node in reference.nodes}
    for node, value in expected_betweenness.items():
        assert betweenness[key_of[node]] == pytest.approx(value, abs=1e-12), node


def test_betweenness_order_puts_top_broker_first(
    factory: sessionmaker[Session], loaded: LoadedNetwork
) -> None:
    expected = nx.betweenness_centrality(loaded.network.reference)
    top = max(sorted(expected), key=lambda node: expected[node])
    with transaction(factory) as session:
        answer = service.centrality(
            session, loaded.ctx, loaded.target, order=service.CentralityOrder.BETWEENNESS, limit=1
        )
    assert [row.node.key for row in answer.value] == [loaded.network.key_of[top]]


def test_communities_partition_every_node(factory: sessionmaker[Session], loaded: LoadedNetwork) -> None:
    reference = loaded.network.reference
    with transaction(factory) as session:
        answer = service.communities(session, loaded.ctx, loaded.target)
    groups = [[loaded.network.name_of(node.key) for node in group] for group in answer.value.groups]
    members = [name for group in groups for name in group]
    assert sorted(members) == sorted(reference.nodes)
    assert len(members) == len(set(members))
    assert answer.value.modularity == pytest.approx(nx.community.modularity(reference, groups), abs=1e-9)
    assert answer.value.modularity > 0.3

"""The graph builder on hand-made rows: value nodes, calls, references, dates and edge keys."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from casetrail.graph.builder import GraphRow, build_graph, lower_bound, period, upper_bound
from casetrail.graph.model import EdgeFilter, LinkGraph

CASE = "case-a"


def _rows(*entities: tuple[str, str, list[tuple[str, str, str]]], case: str = CASE) -> list[GraphRow]:
    rows: list[GraphRow] = []
    for entity_id, schema, props in entities:
        if not props:
            rows.append(GraphRow(case, entity_id, schema, entity_id, None, None, None))
        rows.extend(GraphRow(case, entity_id, schema, entity_id, *prop) for prop in props)
    return sorted(rows, key=lambda row: (row.case_id, row.entity_id))


def _graph(rows: list[GraphRow], redirects: dict[str, dict[str, str]] | None = None) -> LinkGraph:
    graph, _ = build_graph(rows, redirects)
    return graph


def test_phone_of_one_person_is_no_node() -> None:
    graph = _graph(_rows(("p1", "Person", [("phone", "phone", "+442079460111")])))
    assert "phone:+442079460111" not in graph


def test_phone_shared_by_two_people_is_node() -> None:
    shared = ("phone", "phone", "+442079460111")
    graph = _graph(_rows(("p1", "Person", [shared]), ("p2", "Person", [shared])))
    neighbours = sorted(other for _, other in graph.incident("phone:+442079460111"))
    assert neighbours == ["p1", "p2"]


def test_programme_ids_join_nobody() -> None:
    programme = ("programId", "identifier", "US-RUSHAR")
    graph = _graph(_rows(("c1", "Company", [programme]), ("c2", "Company", [programme])))
    assert "identifier:US-RUSHAR" not in graph


def test_call_without_parties_joins_numbers() -> None:
    call = (
        "call-1",
        "Call",
        [("callerNumber", "phone", "+442079460100"), ("receiverNumber", "phone", "+442079460111")],
    )
    graph = _graph(_rows(call))
    edges = list(graph.edges())
    assert [(edge.source, edge.target, edge.relation) for edge in edges] == [
        ("phone:+442079460100", "phone:+442079460111", "Call")
    ]
    assert graph.node("phone:+442079460100").case_ids == {CASE}  # type: ignore[union-attr]


def test_call_party_links_to_number() -> None:
    call = (
        "call-1",
        "Call",
        [
            ("caller", "entity", "p1"),
            ("callerNumber", "phone", "+442079460100"),
            ("receiver", "entity", "p2"),
        ],
    )
    graph = _graph(_rows(call, ("p1", "Person", []), ("p2", "Person", [])))
    relations = sorted((edge.source, edge.target, edge.relation) for edge in graph.edges())
    assert relations == [("p1", "phone:+442079460100", "Call.caller"), ("phone:+442079460100", "p2", "Call")]


def test_reference_outside_graph_is_dropped() -> None:
    ownership = ("own-1", "Ownership", [("owner", "entity", "p1"), ("asset", "entity", "hidden-company")])
    graph, report = build_graph(_rows(ownership, ("p1", "Person", [])))
    assert graph.edge_count == 0
    assert report.dropped_edges == 1
    assert "hidden-company" not in graph


def test_reference_follows_merge() -> None:
    associate = ("assoc-1", "Associate", [("person", "entity", "p1"), ("associate", "entity", "loser")])
    graph = _graph(
        _rows(associate, ("p1", "Person", []), ("winner", "Person", [])), {CASE: {"loser": "winner"}}
    )
    assert [(edge.source, edge.target) for edge in graph.edges()] == [("p1", "winner")]


def test_same_relationship_in_two_cases_keeps_both_edges() -> None:
    props = [("person", "entity", "p1"), ("associate", "entity", "p2")]
    rows = [
        *_rows(("assoc-1", "Associate", props), ("p1", "Person", []), ("p2", "Person", []), case="case-a"),
        *_rows(("assoc-1", "Associate", props), ("p1", "Person", []), ("p2", "Person", []), case="case-b"),
    ]
    graph = _graph(sorted(rows, key=lambda row: (row.case_id, row.entity_id)))
    assert sorted(edge.key for edge in graph.edges()) == ["assoc-1", "assoc-1@case-b"]
    assert graph.node("p1").case_ids == {"case-a", "case-b"}  # type: ignore[union-attr]


def test_family_label_names_relationship() -> None:
    family = (
        "fam-1",
        "Family",
        [("person", "entity", "p1"), ("relative", "entity", "p2"), ("relationship", "string", "sister")],
    )
    graph = _graph(_rows(family, ("p1", "Person", []), ("p2", "Person", [])))
    edge = next(graph.edges())
    assert edge.label == "sister"
    assert edge.directed is False


def test_open_relationship_passes_later_range() -> None:
    ownership = (
        "own-1",
        "Ownership",
        [("owner", "entity", "p1"), ("asset", "entity", "c1"), ("startDate", "date", "2019-05")],
    )
    graph = _graph(_rows(ownership, ("p1", "Person", []), ("c1", "Company", [])))
    edge = next(graph.edges())
    assert (edge.start, edge.end) == ("2019-05-01", None)
    assert EdgeFilter(date_from="2026-01-01", date_to="2026-12-31").allows(edge)
    assert not EdgeFilter(date_from="2010-01-01", date_to="2018-12-31").allows(edge)


def test_relation_filter_matches_property_edges_of_schema() -> None:
    passport = ("pass-1", "Passport", [("holder", "entity", "p1")])
    graph = _graph(_rows(passport, ("p1", "Person", [])))
    edge = next(graph.edges())
    assert EdgeFilter(relations=frozenset({"Passport"})).allows(edge)
    assert EdgeFilter(relations=frozenset({"Passport.holder"})).allows(edge)
    assert not EdgeFilter(relations=frozenset({"Ownership"})).allows(edge)


date_prefixes = (
    st.dates().map(lambda day: day.isoformat()).flatmap(lambda day: st.sampled_from([day[:4], day[:7], day]))
)


@given(date_prefixes)
def test_date_bounds_enclose_prefix(prefix: str) -> None:
    assert lower_bound(prefix) <= upper_bound(prefix)
    assert lower_bound(prefix).startswith(prefix)
    assert upper_bound(prefix).startswith(prefix)
    assert len(lower_bound(prefix)) == 10


@given(date_prefixes, date_prefixes)
def test_period_spans_every_date(first: str, second: str) -> None:
    start, end = period({"date": [first, second]})
    assert start == min(lower_bound(first), lower_bound(second))
    assert end == max(upper_bound(first), upper_bound(second))

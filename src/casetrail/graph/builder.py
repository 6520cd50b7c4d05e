"""Building a ``LinkGraph`` from statement rows, without database access.

The rows are one per (entity, relevant statement) and must arrive grouped by case and entity,
as ``casetrail.graph.loader`` selects them. Each entity becomes, by its schema:

- a relationship (an FtM edge schema such as Ownership): one edge from each ``edge_source``
  value to each ``edge_target`` value;
- a Call: an edge between the caller's and the receiver's number (or the entity when the
  number is missing), plus an edge from each named party to the number it used;
- anything else: a node, with an edge for each entity-typed property (Passport.holder) and a
  link to each phone, e-mail, identifier or IBAN value it shares with another entity.

References are redirected through the case's merges, and an edge is kept only when both of its
ends are nodes of the graph, so a reference to an entity outside the cases read never shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby, product
from typing import NamedTuple

from followthemoney import model
from followthemoney.schema import Schema

from casetrail.graph.model import VALUE_TYPES, Edge, LinkGraph, Node

DATE_PROPS = ("startDate", "endDate", "date")
LABEL_PROPS = ("relationship", "role")
"""String properties that name a relationship more precisely than its schema (Family: "brother")."""
CALL_SIDES = (("caller", "callerNumber"), ("receiver", "receiverNumber"))
UNSHARED_VALUE_PROPS = frozenset({"programId"})
"""Identifier properties that name a list or programme (a sanctions programme), not the entity:
thousands of entities share them, and a node for them would join strangers."""


class GraphRow(NamedTuple):
    """One relevant statement of an entity; ``prop`` is None for an entity without any."""

    case_id: str
    entity_id: str
    schema: str
    caption: str
    prop: str | None
    prop_type: str | None
    value: str | None


@dataclass
class _Entity:
    case_id: str
    entity_id: str
    schema: Schema
    caption: str
    props: dict[str, list[str]]
    redirects: Mapping[str, str]

    def values(self, prop: str) -> list[str]:
        return self.props.get(prop, [])

    def references(self, prop: str) -> list[str]:
        return [self.redirects.get(value, value) for value in self.values(prop)]


@dataclass
class _ValueUse:
    entity_key: str
    case_id: str
    relation: str
    label: str
    start: str | None
    end: str | None


@dataclass
class BuildReport:
    nodes: int = 0
    edges: int = 0
    dropped_edges: int = 0
    """Edges left out because an end is not a node of the graph (outside the cases read)."""


@dataclass
class _Builder:
    graph: LinkGraph = field(default_factory=LinkGraph)
    edges: list[Edge] = field(default_factory=list)
    value_uses: dict[str, list[_ValueUse]] = field(default_factory=lambda: defaultdict(list))
    call_values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Numbers that took part in a call, with the cases of those calls."""
    edge_keys: set[str] = field(default_factory=set)

    def edge_key(self, base: str, case_id: str) -> str:
        key = base if base not in self.edge_keys else f"{base}@{case_id}"
        self.edge_keys.add(key)
        return key


def lower_bound(value: str) -> str:
    """Return the first day a date prefix can mean: ``2015`` -> ``2015-01-01``."""
    day = value[:10]
    return day + "-01-01"[len(day) - 4 :] if len(day) < 10 else day


def upper_bound(value: str) -> str:
    """Return the last day a date prefix can mean: ``2015-03`` -> ``2015-03-31``.

    Every month ends on day 31 here. The bound is only compared as text, so a day that does
    not exist still sorts after the last real day of its month and before the next month.
    """
    day = value[:10]
    return day + "-12-31"[len(day) - 4 :] if len(day) < 10 else day


def period(props: Mapping[str, list[str]]) -> tuple[str | None, str | None]:
    """Return the (start, end) days of an entity from startDate, endDate and date.

    A start without an end is open: the relationship still holds.
    """
    starts = [lower_bound(v) for v in (*props.get("startDate", []), *props.get("date", []))]
    ends = [upper_bound(v) for v in (*props.get("endDate", []), *props.get("date", []))]
    return (min(starts) if starts else None, max(ends) if ends else None)


def value_key(prop_type: str, value: str) -> str:
    return f"{prop_type}:{value}"


@cache
def _schema_label(schema_name: str) -> str:
    schema = model.get(schema_name)
    return str(schema.label) if schema is not None else schema_name


def _label(entity: _Entity) -> str:
    for prop in LABEL_PROPS:
        values = entity.values(prop)
        if values:
            return values[0]
    return _schema_label(entity.schema.name)


def _relationship(builder: _Builder, entity: _Entity) -> None:
    schema = entity.schema
    assert schema.edge_source is not None
    assert schema.edge_target is not None
    start, end = period(entity.props)
    pairs = list(product(entity.references(schema.edge_source), entity.references(schema.edge_target)))
    for number, (source, target) in enumerate(pairs):
        base = entity.entity_id if number == 0 else f"{entity.entity_id}#{number}"
        builder.edges.append(
            Edge(
                key=builder.edge_key(base, entity.case_id),
                source=source,
                target=target,
                relation=schema.name,
                label=_label(entity),
                directed=bool(schema.edge_directed),
                case_id=entity.case_id,
                entity_id=entity.entity_id,
                start=start,
                end=end,
            )
        )


def _call_party(builder: _Builder, entity: _Entity, party_prop: str, number_prop: str) -> list[str]:
    """Return the node keys of one side of a call, and link named parties to their numbers."""
    numbers = [value_key("phone", value) for value in entity.values(number_prop)]
    parties = entity.references(party_prop)
    for number in numbers:
        builder.call_values[number].add(entity.case_id)
    start, end = period(entity.props)
    label = party_prop
    for party, number in product(parties, numbers):
        use = _ValueUse(party, entity.case_id, f"Call.{party_prop}", label, start, end)
        builder.value_uses[number].append(use)
    return numbers or parties


def _call(builder: _Builder, entity: _Entity) -> None:
    callers = _call_party(builder, entity, *CALL_SIDES[0])
    receivers = _call_party(builder, entity, *CALL_SIDES[1])
    start, end = period(entity.props)
    for number, (source, target) in enumerate(product(callers, receivers)):
        base = entity.entity_id if number == 0 else f"{entity.entity_id}#{number}"
        builder.edges.append(
            Edge(
                key=builder.edge_key(base, entity.case_id),
                source=source,
                target=target,
                relation="Call",
                label="call",
                directed=True,
                case_id=entity.case_id,
                entity_id=entity.entity_id,
                start=start,
                end=end,
            )
        )


def _node(builder: _Builder, entity: _Entity) -> None:
    start, end = period(entity.props) if entity.schema.temporal_start else (None, None)
    builder.graph.add_node(
        Node(
            key=entity.entity_id,
            schema=entity.schema.name,
            caption=entity.caption or entity.entity_id,
            case_ids={entity.case_id},
            start=start,
            end=end,
        )
    )
    for prop_name, values in entity.props.items():
        prop = entity.schema.get(prop_name)
        if prop is None or prop.stub:
            continue
        if prop.type.name == "entity":
            _property_edges(builder, entity, prop_name, str(prop.label).lower(), start=start, end=end)
        elif prop.type.name in VALUE_TYPES and prop_name not in UNSHARED_VALUE_PROPS:
            relation = f"{entity.schema.name}.{prop_name}"
            for value in values:
                use = _ValueUse(
                    entity.entity_id, entity.case_id, relation, str(prop.label).lower(), None, None
                )
                builder.value_uses[value_key(prop.type.name, value)].append(use)


def _property_edges(
    builder: _Builder, entity: _Entity, prop: str, label: str, *, start: str | None, end: str | None
) -> None:
    for number, target in enumerate(entity.references(prop)):
        base = f"{entity.entity_id}.{prop}" + (f"#{number}" if number else "")
        builder.edges.append(
            Edge(
                key=builder.edge_key(base, entity.case_id),
                source=entity.entity_id,
                target=target,
                relation=f"{entity.schema.name}.{prop}",
                label=label,
                directed=True,
                case_id=entity.case_id,
                entity_id=entity.entity_id,
                start=start,
                end=end,
            )
        )


def _value_nodes(builder: _Builder) -> None:
    """Add value nodes that join two or more entities or take part in a call, with their links."""
    for key, uses in builder.value_uses.items():
        holders = {use.entity_key for use in uses}
        if len(holders) < 2 and key not in builder.call_values:
            continue
        cases = {use.case_id for use in uses} | builder.call_values.get(key, set())
        builder.graph.add_node(_value_node(key, cases))
        seen: set[tuple[str, str, str]] = set()
        for use in uses:
            if (use.entity_key, use.case_id, use.relation) in seen:
                continue
            seen.add((use.entity_key, use.case_id, use.relation))
            builder.edges.append(
                Edge(
                    key=builder.edge_key(f"{use.entity_key}~{key}", use.case_id),
                    source=use.entity_key,
                    target=key,
                    relation=use.relation,
                    label=use.label,
                    directed=False,
                    case_id=use.case_id,
                    entity_id=use.entity_key,
                    start=use.start,
                    end=use.end,
                )
            )
    for key, cases in builder.call_values.items():
        if key not in builder.graph:
            builder.graph.add_node(_value_node(key, cases))


def _value_node(key: str, case_ids: set[str]) -> Node:
    prop_type, _, value = key.partition(":")
    return Node(key=key, schema=prop_type, caption=value, case_ids=set(case_ids), is_value=True)


def _entities(rows: Iterable[GraphRow], redirects: Mapping[str, Mapping[str, str]]) -> Iterator[_Entity]:
    for (case_id, entity_id), group in groupby(rows, key=lambda row: (row.case_id, row.entity_id)):
        first = next(group)
        schema = model.get(first.schema)
        if schema is None:
            continue
        props: dict[str, list[str]] = defaultdict(list)
        for row in (first, *group):
            if row.prop is not None and row.value is not None:
                props[row.prop].append(row.value)
        yield _Entity(case_id, entity_id, schema, first.caption, props, redirects.get(case_id, {}))


def build_graph(
    rows: Iterable[GraphRow], redirects: Mapping[str, Mapping[str, str]] | None = None
) -> tuple[LinkGraph, BuildReport]:
    """Build the graph from rows grouped by (case, entity); ``redirects`` maps case to merges."""
    builder = _Builder()
    for entity in _entities(rows, redirects or {}):
        if entity.schema.edge and entity.schema.edge_source and entity.schema.edge_target:
            _relationship(builder, entity)
        elif entity.schema.is_a("Call"):
            _call(builder, entity)
        else:
            _node(builder, entity)
    _value_nodes(builder)
    dropped = builder.graph.add_edges(builder.edges)
    report = BuildReport(nodes=len(builder.graph), edges=builder.graph.edge_count, dropped_edges=dropped)
    return builder.graph, report

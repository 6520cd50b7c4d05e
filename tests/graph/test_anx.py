"""The i2 ANX export of a real network parses as XML and keeps its internal references whole.

The IS-E network (an edge list of named people) is imported into a case as FtM entities, and
the whole case is exported as ANX. The file is read back with defusedxml, which rejects entity
expansion and external references. The tests check the layout Analyst's Notebook reads: the
order of the chart's collections, one entity item per person and one link item per edge. Every
reference by name or XML id must resolve to a declared type, strength or attribute class.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree
from sqlalchemy.orm import Session, sessionmaker

from casetrail.db.engine import transaction
from casetrail.graph import downloads
from casetrail.graph.exports import ExportFormat
from tests.graph.conftest import ISIS_CASE, LoadedNetwork

CHART_ORDER = [
    "StrengthCollection",
    "AttributeClassCollection",
    "EntityTypeCollection",
    "LinkTypeCollection",
    "ChartItemCollection",
]


@pytest.fixture
def chart(factory: sessionmaker[Session], isis_case: LoadedNetwork) -> Element:
    with transaction(factory) as session:
        exported = downloads.export_graph(session, isis_case.ctx, isis_case.target, ExportFormat.ANX)
    root: Element = ElementTree.fromstring(exported.content)
    return root


def _entity_items(chart: Element) -> list[Element]:
    return [item for item in chart.iter("ChartItem") if item.find("End") is not None]


def _link_items(chart: Element) -> list[Element]:
    return [item for item in chart.iter("ChartItem") if item.find("Link") is not None]


def _declared(chart: Element, tag: str) -> dict[str, str]:
    """Return the Name to Id map of one kind of definition (EntityType, LinkType, ...)."""
    return {str(item.get("Name")): str(item.get("Id")) for item in chart.iter(tag)}


def test_anx_collections_in_schema_order(chart: Element) -> None:
    assert chart.tag == "Chart"
    assert [child.tag for child in chart] == CHART_ORDER
    assert chart.get("IdReferenceLinking") == "false"


def test_anx_one_entity_per_person(chart: Element, isis_case: LoadedNetwork) -> None:
    identities = [item.find("End/Entity").get("Identity") for item in _entity_items(chart)]  # type: ignore[union-attr]
    assert sorted(identities) == sorted(isis_case.network.key_of.values())


def test_anx_entity_labels_are_names(chart: Element, isis_case: LoadedNetwork) -> None:
    labels = {
        item.find("End/Entity").get("Identity"): item.get("Label")  # type: ignore[union-attr]
        for item in _entity_items(chart)
    }
    names = {key: name for name, key in isis_case.network.key_of.items()}
    assert labels == names


def test_anx_links_match_the_edge_list(chart: Element, isis_case: LoadedNetwork) -> None:
    identity_of = {entity.get("EntityId"): entity.get("Identity") for entity in chart.iter("Entity")}
    names = {key: name for name, key in isis_case.network.key_of.items()}
    linked = {
        frozenset((names[identity_of[link.get("End1Id")]], names[identity_of[link.get("End2Id")]]))
        for link in chart.iter("Link")
    }
    expected = {frozenset(edge) for edge in isis_case.network.reference.edges}
    assert linked == expected


def test_anx_ids_are_unique(chart: Element) -> None:
    entity_ids = [entity.get("EntityId") for entity in chart.iter("Entity")]
    xml_ids = [element.get("Id") for element in chart.iter() if element.get("Id") is not None]
    assert len(set(entity_ids)) == len(entity_ids)
    assert all(str(value).isdigit() for value in entity_ids)
    assert len(set(xml_ids)) == len(xml_ids)


def test_anx_ends_have_integer_coordinates(chart: Element) -> None:
    for item in _entity_items(chart):
        end = item.find("End")
        assert end is not None
        coordinates = [end.get("X"), end.get("Y"), end.get("Z")]
        assert all(value is not None and value.lstrip("-").isdigit() for value in coordinates)
        assert item.get("XPosition") == end.get("X")


def test_anx_icon_types_are_declared(chart: Element) -> None:
    declared = _declared(chart, "EntityType")
    for style in chart.iter("IconStyle"):
        assert declared[str(style.get("Type"))] == style.get("EntityTypeReference")
    assert set(declared) == {"Person"}


def test_anx_link_styles_are_declared(chart: Element) -> None:
    link_types = _declared(chart, "LinkType")
    strengths = _declared(chart, "Strength")
    styles = list(chart.iter("LinkStyle"))
    assert {style.get("Type") for style in styles} == {"Associate"}
    for style in styles:
        assert link_types[str(style.get("Type"))] == style.get("LinkTypeReference")
        assert strengths[str(style.get("Strength"))] == style.get("StrengthReference")
        assert style.get("ArrowStyle") == "ArrowNone"


def test_anx_attributes_are_declared(chart: Element) -> None:
    classes = _declared(chart, "AttributeClass")
    attributes = list(chart.iter("Attribute"))
    assert attributes
    for attribute in attributes:
        assert classes[str(attribute.get("AttributeClass"))] == attribute.get("AttributeClassReference")


def test_anx_item_children_in_order(chart: Element) -> None:
    for item in _entity_items(chart):
        assert [child.tag for child in item] == ["End", "AttributeCollection"]
    for item in _link_items(chart):
        assert [child.tag for child in item] == ["Link", "AttributeCollection"]


def test_anx_attributes_carry_case_and_schema(chart: Element) -> None:
    first = _entity_items(chart)[0]
    values = {
        attribute.get("AttributeClass"): attribute.get("Value") for attribute in first.iter("Attribute")
    }
    assert values["FtM schema"] == "Person"
    assert values["Cases"] == ISIS_CASE
    assert values["Casetrail id"] == first.find("End/Entity").get("Identity")  # type: ignore[union-attr]

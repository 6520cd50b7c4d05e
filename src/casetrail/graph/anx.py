"""Writing a subgraph as i2 Analyst's Notebook exchange XML (ANX).

i2 publishes no open schema for ANX, so the layout follows charts that Analyst's Notebook is
known to open. The children of ``Chart`` come in this order: ``StrengthCollection``,
``AttributeClassCollection``, ``EntityTypeCollection``, ``LinkTypeCollection``,
``ChartItemCollection``. An entity item contains ``End`` (X, Y, Z) > ``Entity`` (EntityId,
Identity) > ``Icon`` > ``IconStyle`` (Type), then its ``AttributeCollection``. A link item contains
``Link`` (End1Id, End2Id) > ``LinkStyle`` (Type, Strength, ArrowStyle), then its attributes.

The chart sets ``IdReferenceLinking="false"``, so a link names its ends by ``EntityId``. Entity
ids are the integers 1 to n in node order, because published writers use integers there.
``Identity`` is the Casetrail node key, unique in the chart, so Analyst's Notebook never merges
two nodes on import. Every type, strength and attribute class carries an XML ``Id`` that the
items refer to, next to its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from casetrail.graph.model import Edge, Node

if TYPE_CHECKING:
    # exports.py imports this module, so the type is imported for type checking only.
    from casetrail.graph.exports import ExportGraph

ANX_ICONS = {
    "Person": "Person",
    "Company": "Organisation",
    "Organization": "Organisation",
    "LegalEntity": "Organisation",
    "PublicBody": "Organisation",
    "Address": "Address",
    "Vehicle": "Vehicle",
    "BankAccount": "Account",
    "Passport": "Passport",
    "Identification": "Document",
    "Document": "Document",
    "Event": "Event",
    "Sanction": "Document",
    "phone": "Telephone",
    "email": "Email",
    "identifier": "Document",
    "iban": "Account",
}
"""FtM schema or value type to the entity type name written to the chart."""
# NOTE: the entity type names are also written as IconFile names, which were not checked against
# the icon library of an Analyst's Notebook installation.
ANX_DEFAULT_ICON = "General"
STRENGTH = "Confirmed"
"""The one link strength written: the edges come from recorded entities, not from guesses."""

ENTITY_ATTRIBUTES = ("Casetrail id", "FtM schema", "Cases")
LINK_ATTRIBUTES = ("Casetrail id", "Relation", "Case", "Start date", "End date")


@dataclass(frozen=True)
class _Registry:
    """The XML ids of the chart's types, strength and attribute classes, by name."""

    entity_types: dict[str, str]
    link_types: dict[str, str]
    attribute_classes: dict[str, str]
    strength: str = "strength-1"


def _registry(graph: ExportGraph) -> _Registry:
    icons = sorted({ANX_ICONS.get(node.schema, ANX_DEFAULT_ICON) for node in graph.nodes})
    relations = sorted({edge.relation for edge in graph.edges})
    classes = list(dict.fromkeys([*ENTITY_ATTRIBUTES, *LINK_ATTRIBUTES]))
    return _Registry(
        entity_types={name: f"entity-type-{number}" for number, name in enumerate(icons, 1)},
        link_types={name: f"link-type-{number}" for number, name in enumerate(relations, 1)},
        attribute_classes={name: f"attribute-class-{number}" for number, name in enumerate(classes, 1)},
    )


def _definitions(chart: ElementTree.Element, registry: _Registry) -> None:
    strengths = ElementTree.SubElement(chart, "StrengthCollection")
    ElementTree.SubElement(
        strengths, "Strength", Id=registry.strength, Name=STRENGTH, DotStyle="DotStyleSolid"
    )
    classes = ElementTree.SubElement(chart, "AttributeClassCollection")
    for name, xml_id in registry.attribute_classes.items():
        ElementTree.SubElement(
            classes, "AttributeClass", Id=xml_id, Name=name, Type="AttText", ShowValue="true"
        )
    entity_types = ElementTree.SubElement(chart, "EntityTypeCollection")
    for name, xml_id in registry.entity_types.items():
        ElementTree.SubElement(
            entity_types,
            "EntityType",
            Id=xml_id,
            Name=name,
            IconFile=name,
            PreferredRepresentation="RepresentAsIcon",
            Colour="0",
        )
    link_types = ElementTree.SubElement(chart, "LinkTypeCollection")
    for name, xml_id in registry.link_types.items():
        ElementTree.SubElement(link_types, "LinkType", Id=xml_id, Name=name, Colour="0")


def _attributes(item: ElementTree.Element, registry: _Registry, values: Mapping[str, str | None]) -> None:
    """Append an AttributeCollection with the values that are set; none when all are empty."""
    present = {name: value for name, value in values.items() if value}
    if not present:
        return
    collection = ElementTree.SubElement(item, "AttributeCollection")
    for name, value in present.items():
        ElementTree.SubElement(
            collection,
            "Attribute",
            AttributeClass=name,
            AttributeClassReference=registry.attribute_classes[name],
            Value=value,
        )


def _date_attributes(day: str | None) -> dict[str, str]:
    """Return ChartItem date attributes: a day with no time of day, or no date at all."""
    if not day:
        return {"DateSet": "false", "TimeSet": "false"}
    return {"DateSet": "true", "TimeSet": "false", "DateTime": f"{day}T00:00:00"}


def _entity(
    items: ElementTree.Element, registry: _Registry, graph: ExportGraph, node: Node, number: int
) -> None:
    x, y = graph.position(node.key, number - 1)
    attributes = {
        "Id": f"item-{number}",
        "Label": node.caption,
        "Description": node.schema,
        "XPosition": str(round(x)),
        **_date_attributes(node.start),
    }
    item = ElementTree.SubElement(items, "ChartItem", attributes)
    end = ElementTree.SubElement(item, "End", X=str(round(x)), Y=str(round(y)), Z="0")
    entity = ElementTree.SubElement(
        end, "Entity", EntityId=str(number), Identity=node.key, LabelIsIdentity="false"
    )
    icon = ElementTree.SubElement(entity, "Icon")
    type_name = ANX_ICONS.get(node.schema, ANX_DEFAULT_ICON)
    ElementTree.SubElement(
        icon, "IconStyle", Type=type_name, EntityTypeReference=registry.entity_types[type_name]
    )
    _attributes(
        item,
        registry,
        {"Casetrail id": node.key, "FtM schema": node.schema, "Cases": graph.cases_of(node)},
    )


def _link(
    items: ElementTree.Element,
    registry: _Registry,
    graph: ExportGraph,
    edge: Edge,
    *,
    ends: tuple[int, int],
    number: int,
) -> None:
    case = graph.case_numbers.get(edge.case_id, edge.case_id)
    attributes = {
        "Id": f"item-{number}",
        "Label": edge.label,
        "Description": edge.relation,
        **_date_attributes(edge.start),
    }
    item = ElementTree.SubElement(items, "ChartItem", attributes)
    link = ElementTree.SubElement(item, "Link", End1Id=str(ends[0]), End2Id=str(ends[1]))
    ElementTree.SubElement(
        link,
        "LinkStyle",
        Type=edge.relation,
        LinkTypeReference=registry.link_types[edge.relation],
        Strength=STRENGTH,
        StrengthReference=registry.strength,
        ArrowStyle="ArrowOnHead" if edge.directed else "ArrowNone",
        MlStyle="MultiplicityMultiple",
    )
    _attributes(
        item,
        registry,
        {
            "Casetrail id": edge.entity_id,
            "Relation": edge.relation,
            "Case": case,
            "Start date": edge.start,
            "End date": edge.end,
        },
    )


def to_anx(graph: ExportGraph) -> bytes:
    """Write the subgraph as an Analyst's Notebook chart.

    An edge whose end is not among the nodes is left out, so that no link refers to an entity
    the file does not contain.
    """
    registry = _registry(graph)
    chart = ElementTree.Element("Chart", IdReferenceLinking="false", Rigorous="true")
    _definitions(chart, registry)
    items = ElementTree.SubElement(chart, "ChartItemCollection")
    entity_ids: dict[str, int] = {}
    for number, node in enumerate(graph.nodes, 1):
        entity_ids[node.key] = number
        _entity(items, registry, graph, node, number)
    number = len(entity_ids)
    for edge in graph.edges:
        if edge.source not in entity_ids or edge.target not in entity_ids:
            continue
        number += 1
        ends = (entity_ids[edge.source], entity_ids[edge.target])
        _link(items, registry, graph, edge, ends=ends, number=number)
    ElementTree.indent(chart)
    content: bytes = ElementTree.tostring(chart, encoding="utf-8", xml_declaration=True)
    return content

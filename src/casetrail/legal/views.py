"""Turning case records into the JSON shapes the templates read (see ``templates/_preamble.typ``).

Each shape is plain JSON (strings, numbers, lists, objects), because it is stored as the
version's inputs, hashed, and passed to typst as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from followthemoney.proxy import EntityProxy

# Property types that name or identify an entity: a redacted subject loses all of them.
IDENTIFYING_TYPES = frozenset({"name", "identifier", "phone", "email", "iban", "address"})
# Personal facts that identify a person together with a partial name; a redacted subject loses them too.
IDENTIFYING_PROPERTIES = frozenset({"birthDate", "birthPlace", "deathDate"})
# Properties left out of a subject's facts: long or of no use to a reader of the document.
_LEFT_OUT = frozenset({"name", "sourceUrl", "notes", "wikidataId", "modifiedAt", "createdAt", "retrievedAt"})
MAX_SUBJECT_ROWS = 16
MAX_VALUES_PER_ROW = 6
MAX_ALIASES = 6


def _values(proxy: EntityProxy, prop: Any) -> list[str]:
    values = proxy.get(prop, quiet=True)
    shown = [str(prop.type.caption(value, format=None) or value) for value in values]
    return shown[:MAX_VALUES_PER_ROW]


def subject_view(proxy: EntityProxy) -> dict[str, Any]:
    """Describe an entity: caption, schema, other names and its facts as label and value rows."""
    caption = str(proxy.caption)
    aliases = [name for name in proxy.get("name", quiet=True) if name != caption][:MAX_ALIASES]
    rows: list[dict[str, str]] = []
    if aliases:
        rows.append({"label": "Also known as", "value": "; ".join(aliases)})
    for prop in sorted(proxy.schema.properties.values(), key=lambda item: str(item.label)):
        if prop.name in _LEFT_OUT or prop.type.name == "entity" or prop.hidden:
            continue
        values = _values(proxy, prop)
        if values:
            rows.append({"label": str(prop.label), "value": "; ".join(values)})
    return {"caption": caption, "schema": str(proxy.schema.label), "properties": rows[:MAX_SUBJECT_ROWS]}


def redaction_terms(proxy: EntityProxy) -> set[str]:
    """Return every name, identifier, address and birth detail of an entity, and the words of its names."""
    terms: set[str] = {str(proxy.caption)}
    for prop, value in proxy.itervalues():
        if prop.type.name not in IDENTIFYING_TYPES and prop.name not in IDENTIFYING_PROPERTIES:
            continue
        terms.add(value)
        if prop.type.name == "name":
            # A name part such as a surname also appears alone in free text.
            terms.update(part.strip(",.") for part in value.split() if len(part.strip(",.")) >= 3)
    return {term for term in terms if term.strip()}


def when(start: str | None, end: str | None) -> str:
    if start and end and start != end:
        return f"{start} to {end}"
    return start or end or "undated"


def chart_view(
    title: str, nodes: Iterable[tuple[str, str, str, float, float]], edges: Iterable[tuple[str, str, str]]
) -> dict[str, Any]:
    """Describe a chart with positions scaled to 0..1, so a template places nodes on any page size.

    ``nodes`` are (key, caption, schema, x, y) in any coordinate system; ``edges`` are
    (source key, target key, label) and must join listed nodes.
    """
    listed = list(nodes)
    xs = [node[3] for node in listed] or [0.0]
    ys = [node[4] for node in listed] or [0.0]
    width = (max(xs) - min(xs)) or 1.0
    height = (max(ys) - min(ys)) or 1.0
    keys = {node[0] for node in listed}
    return {
        "title": title,
        "nodes": [
            {
                "key": key,
                "caption": caption,
                "schema": schema,
                "x": round((x - min(xs)) / width, 4),
                "y": round((y - min(ys)) / height, 4),
            }
            for key, caption, schema, x, y in listed
        ],
        "edges": [
            {"source": source, "target": target, "label": label}
            for source, target, label in edges
            if source in keys and target in keys
        ],
    }

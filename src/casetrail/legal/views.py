"""Turning case records into the JSON shapes the templates read (see ``templates/_preamble.typ``).

Each shape is plain JSON (strings, numbers, lists, objects), because it is stored as the
version's inputs, hashed, and passed to typst as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from followthemoney.proxy import EntityProxy

# Property types that name or identify an entity. A redacted subject's values of these types are
# removed wherever they appear in the document, because a name or number identifies it anywhere.
IDENTIFYING_TYPES = frozenset({"name", "identifier", "phone", "email", "iban"})
# Places and dates that identify a person together with a partial name. They are removed only
# from the subject's own rows, because "Russia" elsewhere is rarely the subject's birthplace.
FIELD_TYPES = frozenset({"address"})
FIELD_PROPERTIES = frozenset({"birthDate", "birthPlace", "deathDate"})
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


@dataclass(frozen=True)
class RedactionTerms:
    """Terms and subject rows removed from a document's inputs by redacting entities."""

    words: frozenset[str]
    """Names, name parts and identifiers, removed anywhere in the document."""
    captions: frozenset[str]
    """Names that may title the entity's subject block (the caption when the version was made)."""
    field_labels: frozenset[str]
    """Labels of the subject rows of places and dates, whose values are removed in that block only."""

    def __or__(self, other: RedactionTerms) -> RedactionTerms:
        return RedactionTerms(
            words=self.words | other.words,
            captions=self.captions | other.captions,
            field_labels=self.field_labels | other.field_labels,
        )


NO_TERMS = RedactionTerms(words=frozenset(), captions=frozenset(), field_labels=frozenset())


def redaction_terms(proxy: EntityProxy) -> RedactionTerms:
    """Return the names and identifiers of an entity, the words of its names, and its field labels."""
    caption = str(proxy.caption)
    words: set[str] = {caption}
    captions: set[str] = {caption}
    for prop, value in proxy.itervalues():
        if prop.type.name not in IDENTIFYING_TYPES:
            continue
        words.add(value)
        if prop.type.name == "name":
            captions.add(value)
            # A name part such as a surname also appears alone in free text.
            words.update(part.strip(",.") for part in value.split() if len(part.strip(",.")) >= 3)
    field_labels = {
        str(prop.label)
        for prop in proxy.schema.properties.values()
        if prop.type.name in FIELD_TYPES or prop.name in FIELD_PROPERTIES
    }
    return RedactionTerms(
        words=frozenset(term for term in words if term.strip()),
        captions=frozenset(captions),
        field_labels=frozenset(field_labels),
    )


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

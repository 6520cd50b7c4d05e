"""Sample inputs for a template, used to check a template before it is saved and to preview it.

Subjects, the chronology and the chart come from the real OpenSanctions entities that ship for
``casetrail demo`` (the ZALA Aero group); the case, evidence, custody and notes are invented.
The file is read as package data, without importing the demo package.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from casetrail.legal.definitions import TemplateDefinition
from casetrail.legal.views import chart_view, subject_view, when

SAMPLE_TIME = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
_DEMO_FILE = ("demo", "data", "ftm_opensanctions_zala_slice.ftm.json")
_SUBJECT_IDS = ("NK-aU5ybkbRFJucf8YMwsJvDw", "NK-abdzbEBkqyT29GyREbiURZ", "NK-cPks3aTbes8k4aCerfBAzN")
SAMPLE_SUBJECT = "Aleksandr Vyacheslavovich Zakharov"


def _entities() -> dict[str, EntityProxy]:
    path = resources.files("casetrail").joinpath(*_DEMO_FILE)
    proxies = (model.get_proxy(json.loads(line)) for line in path.read_text("utf-8").splitlines() if line)
    return {proxy.id: proxy for proxy in proxies if proxy.id}


def _links(entities: dict[str, EntityProxy]) -> list[tuple[str, str, str, str]]:
    """Return (source, target, label, start date) of the ownerships and directorships."""
    links = []
    for proxy in entities.values():
        ends = {"Ownership": ("owner", "asset"), "Directorship": ("director", "organization")}.get(
            proxy.schema.name
        )
        if ends is None:
            continue
        source, target = proxy.first(ends[0]), proxy.first(ends[1])
        if source in entities and target in entities:
            links.append((source, target, str(proxy.schema.label), proxy.first("startDate") or ""))
    # Dated links oldest first; undated ones after them.
    return sorted(links, key=lambda link: (link[3] == "", link[3], link[0], link[1]))


def _chart(entities: dict[str, EntityProxy]) -> dict[str, Any]:
    links = _links(entities)
    keys = sorted({key for link in links for key in link[:2]})
    count = max(len(keys), 1)
    nodes = [
        (
            key,
            str(entities[key].caption),
            entities[key].schema.name,
            math.cos(2 * math.pi * index / count),
            math.sin(2 * math.pi * index / count),
        )
        for index, key in enumerate(keys)
    ]
    edges = list(dict.fromkeys((source, target, label) for source, target, label, _ in links))
    return chart_view("Ownership and control of the ZALA Aero group", nodes, edges)


def _timeline(entities: dict[str, EntityProxy]) -> list[dict[str, str]]:
    return [
        {
            "when": when(start or None, None),
            "kind": label,
            "label": f"{entities[source].caption} → {entities[target].caption}",
        }
        for source, target, label, start in _links(entities)
    ][:12]


def _evidence() -> list[dict[str, Any]]:
    return [
        {
            "number": "E1",
            "description": "Share register extract of LLC CST, certified copy",
            "category": "document",
            "status": "in storage",
            "obtained_at": "2026-03-14 06:30 UTC",
            "obtained": f"Production order, registry office; by Alice Example. Concerns {SAMPLE_SUBJECT}.",
            "seal_number": "S-1001",
            "storage_location": "Evidence room 2, shelf B",
            "files": [
                {
                    "name": "register.pdf",
                    "sha256": "3f718f1328ae368d90b981a13be0d5dd7c50d99ae6531a95ae0bc79588c43be6",
                }
            ],
        },
        {
            "number": "E2",
            "description": "Black smartphone, cracked screen",
            "category": "device",
            "status": "at lab",
            "obtained_at": "2026-03-14 07:05 UTC",
            "obtained": "Search warrant, 12 Elm St, kitchen; by Alice Example",
            "seal_number": "S-1002",
            "storage_location": "",
            "files": [],
        },
    ]


def _custody(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    events = [
        ("2026-03-14 06:30 UTC", "intake", "→ Alice Example (alice)", "Sealed at the scene."),
        ("2026-03-14 11:00 UTC", "release", "Alice Example (alice) → Carol Lab (carol)", "Seal intact."),
        ("2026-03-14 11:20 UTC", "accept", "Alice Example (alice) → Carol Lab (carol)", ""),
    ]
    return [
        {
            "number": item["number"],
            "description": item["description"],
            "events": [
                {
                    "seq": seq,
                    "occurred_at": at,
                    "event_type": kind,
                    "parties": parties,
                    "recorded_by": "alice",
                    "notes": notes,
                }
                for seq, (at, kind, parties, notes) in enumerate(events, start=1)
            ],
            "chain_status": "Hash chain verified: 3 events, newest hash matches the item.",
        }
        for item in items
    ]


def _prose(label: str) -> str:
    return (
        f"{label}: sample text. Company records show that {SAMPLE_SUBJECT} controls LLC CST "
        "through several holding companies.\n\nA second paragraph follows the first, so the "
        "layout of paragraphs can be checked."
    )


def sample_inputs(key: str, definition: TemplateDefinition, template_version: int = 1) -> dict[str, Any]:
    """Return inputs for every field of ``definition``, as a document version stores them."""
    entities = _entities()
    items = _evidence()
    by_source: dict[str, Any] = {
        "subjects": [subject_view(entities[entity_id]) for entity_id in _SUBJECT_IDS],
        "evidence": items,
        "custody": _custody(items),
        "timeline": _timeline(entities),
        "notes": [
            {"author": "Alice Example (alice)", "created_at": "2026-03-10 14:05 UTC", "body": _prose("Note")},
        ],
        "chart": _chart(entities),
    }
    fields: dict[str, Any] = {}
    for item in definition.fields:
        if item.source == "text":
            fields[item.name] = _prose(item.label)
        elif item.source == "line":
            fields[item.name] = f"Sample {item.label.lower()}"
        else:
            fields[item.name] = by_source[item.source]
    return {
        "title": f"{definition.name}: sample",
        "template": {"key": key, "name": definition.name, "version": template_version},
        "case": {
            "number": "2026-0001",
            "title": "Sample case: the ZALA Aero group",
            "summary": "",
            "offence_category": "sanctions evasion",
            "status": "open",
            "sensitivity": "restricted",
            "lead": "Alice Example (alice)",
            "unit": "Financial investigations",
            "opened": "2026-03-01",
        },
        "prepared_by": "Alice Example (alice)",
        "prepared_at": SAMPLE_TIME.strftime("%Y-%m-%d %H:%M UTC"),
        "fields": fields,
    }

"""Gathering the facts of a case that a document shows, from what its author chose.

The author chooses entities (subjects), evidence items, notes and one saved chart; the
template's field definitions name which of them it shows. The result is the ``inputs`` JSON of a
document version (see ``views``), a snapshot: later changes to the case do not change a saved
version, and the author refreshes the facts by saving a new version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.auth.context import RequestContext
from casetrail.auth.models import Unit
from casetrail.cases.models import Case, Note
from casetrail.cases.service import user_display
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.entities.models import CaseEntity
from casetrail.entities.statements import build_proxy, live_statements, merge_redirects
from casetrail.evidence.dossier import build_dossier, select_items
from casetrail.graph import charts
from casetrail.graph import service as graph_service
from casetrail.graph.scope import GraphTarget
from casetrail.legal.definitions import MAX_TEXT_LENGTH, TemplateDefinition
from casetrail.legal.views import chart_view, subject_view, when

MAX_CHOSEN = 200
MAX_TIMELINE = 200
SELECTION_KEYS = ("subjects", "evidence", "notes")


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def clean_selection(raw: dict[str, Any]) -> dict[str, Any]:
    """Return the selection with lists of unique non-empty strings and an optional chart id."""
    clean: dict[str, Any] = {}
    for key in SELECTION_KEYS:
        values = raw.get(key) or []
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise ValidationFailed(f"{key} must be a list of strings", {key: "not a list of strings"})
        chosen = list(dict.fromkeys(value.strip() for value in values if value.strip()))
        if len(chosen) > MAX_CHOSEN:
            raise ValidationFailed(
                f"{len(chosen)} {key} chosen, at most {MAX_CHOSEN} are allowed", {key: "too many"}
            )
        clean[key] = chosen
    chart = raw.get("chart")
    clean["chart"] = chart.strip() if isinstance(chart, str) and chart.strip() else None
    return clean


def clean_sections(definition: TemplateDefinition, raw: dict[str, Any]) -> dict[str, str]:
    """Return the edited text of each free-text field, checked for type and length."""
    sections: dict[str, str] = {}
    for item in definition.fields:
        if not item.edited:
            continue
        value = raw.get(item.name, "")
        if not isinstance(value, str):
            raise ValidationFailed(f"section {item.name} must be text", {item.name: "not text"})
        value = value.replace("\r\n", "\n").strip()
        if item.source == "line":
            value = " ".join(value.split())
        limit = MAX_TEXT_LENGTH[item.source]
        if len(value) > limit:
            raise ValidationFailed(
                f"section {item.label} has {len(value)} characters, at most {limit} are allowed",
                {item.name: "too long"},
            )
        sections[item.name] = value
    return sections


def missing_required(definition: TemplateDefinition, inputs: dict[str, Any]) -> list[str]:
    """Return the labels of required fields that are empty in ``inputs``."""
    return [item.label for item in definition.fields if item.required and not inputs["fields"].get(item.name)]


def case_view(session: Session, case: Case) -> dict[str, Any]:
    unit = session.get(Unit, case.unit_id) if case.unit_id else None
    return {
        "number": case.number,
        "title": case.title,
        "summary": case.summary,
        "offence_category": case.offence_category,
        "status": case.status,
        "sensitivity": case.sensitivity,
        "lead": user_display(session, case.lead_id),
        "unit": unit.name if unit else "",
        "opened": case.created_at.date().isoformat(),
    }


def _subjects(session: Session, case: Case, entity_ids: list[str]) -> list[dict[str, Any]]:
    redirects = merge_redirects(session, case.id)
    views = []
    for entity_id in entity_ids:
        canonical = redirects.get(entity_id, entity_id)
        row = session.get(CaseEntity, (case.id, canonical))
        if row is None:
            raise ValidationFailed(
                f"entity {entity_id} is not in case {case.number}: choose entities of the case",
                {"subjects": "unknown entity"},
            )
        proxy = build_proxy(canonical, row.schema, live_statements(session, case.id, canonical), redirects)
        views.append(subject_view(proxy))
    return views


def _item_view(item: dict[str, Any]) -> dict[str, Any]:
    obtained = ", ".join(part for part in (item["obtained_place"], item["obtained_method"]) if part)
    return {
        "number": item["number"],
        "description": item["description"],
        "category": item["category"],
        "status": item["status"].replace("_", " "),
        "obtained_at": _stamp(datetime.fromisoformat(item["obtained_at"])),
        "obtained": f"{obtained}; by {item['obtained_by']}" if obtained else f"by {item['obtained_by']}",
        "seal_number": item["seal_number"],
        "storage_location": item["storage_location"],
        "files": [{"name": file["file_name"], "sha256": file["sha256"]} for file in item["files"]],
    }


def _custody_view(item: dict[str, Any]) -> dict[str, Any]:
    chain = item["chain"]
    if chain["ok"]:
        status = f"Hash chain verified: {chain['events_checked']} events, newest hash matches the item."
    else:
        status = f"HASH CHAIN BROKEN at event {chain['first_bad_seq']}: {chain['problem']}"
    return {
        "number": item["number"],
        "description": item["description"],
        "events": [
            {
                "seq": event["seq"],
                "occurred_at": _stamp(datetime.fromisoformat(event["occurred_at"])),
                "event_type": event["event_type"].replace("_", " "),
                "parties": " → ".join(part for part in (event["from_name"], event["to_name"]) if part),
                "recorded_by": event["recorded_by"],
                "notes": event["notes"] or "",
            }
            for event in item["events"]
        ],
        "chain_status": status,
    }


def _evidence(session: Session, case: Case, numbers: list[str], actor: str) -> list[dict[str, Any]]:
    if not numbers:
        return []
    items = select_items(session, case, numbers)
    return list(build_dossier(session, case, items, generated_by=actor, signing_fingerprint="")["items"])


def _notes(session: Session, case: Case, note_ids: list[str]) -> list[dict[str, Any]]:
    views = []
    for note_id in note_ids:
        note = session.get(Note, note_id)
        if note is None or note.case_id != case.id:
            raise ValidationFailed(f"note {note_id} is not in case {case.number}", {"notes": "unknown note"})
        views.append({"author": note.author_name, "created_at": _stamp(note.created_at), "body": note.body})
    return views


def _timeline(
    session: Session, ctx: RequestContext, case: Case, entity_ids: list[str]
) -> list[dict[str, str]]:
    answer = graph_service.timeline(session, ctx, GraphTarget(number=case.number), limit=1_000)
    entries, _truncated = answer.value
    chosen = set(entity_ids)
    keys = {key for entry in entries for key in entry.participants}
    captions = (
        dict(
            session.execute(
                select(CaseEntity.entity_id, CaseEntity.caption).where(
                    CaseEntity.case_id == case.id, CaseEntity.entity_id.in_(sorted(keys))
                )
            ).all()
        )
        if keys
        else {}
    )
    views = []
    for entry in entries:
        if chosen and not chosen.intersection(entry.participants) and entry.entity_id not in chosen:
            continue
        names = " → ".join(captions.get(key, key) for key in entry.participants)
        views.append(
            {"when": when(entry.start, entry.end), "kind": entry.label or entry.schema, "label": names}
        )
    # Dated entries oldest first, as the graph returns them; undated ones after them.
    views.sort(key=lambda view: view["when"] == "undated")
    return views[:MAX_TIMELINE]


def _chart(session: Session, ctx: RequestContext, case: Case, chart_id: str | None) -> dict[str, Any] | None:
    if chart_id is None:
        return None
    try:
        opened = charts.open_chart(session, ctx, case.number, chart_id)
    except NotFound:
        raise ValidationFailed(
            f"chart {chart_id} is not saved in case {case.number}", {"chart": "unknown chart"}
        ) from None
    nodes = [
        (node.key, node.caption, node.schema, *opened.positions.get(node.key, (0.0, 0.0)))
        for node in opened.elements.nodes
    ]
    edges = [(edge.source, edge.target, edge.label) for edge in opened.elements.edges]
    return chart_view(opened.chart.title, nodes, edges)


def gather(
    session: Session,
    ctx: RequestContext,
    case: Case,
    *,
    key: str,
    template_version: int,
    definition: TemplateDefinition,
    title: str,
    selection: dict[str, Any],
    sections: dict[str, str],
    prepared_at: datetime,
) -> dict[str, Any]:
    """Build the inputs of a version; the caller has checked that the actor may read the case."""
    sources = definition.sources()
    evidence = (
        _evidence(session, case, selection["evidence"], ctx.actor.username)
        if sources & {"evidence", "custody"}
        else []
    )
    by_source: dict[str, Any] = {}
    if "subjects" in sources:
        by_source["subjects"] = _subjects(session, case, selection["subjects"])
    by_source["evidence"] = [_item_view(item) for item in evidence]
    by_source["custody"] = [_custody_view(item) for item in evidence]
    if "notes" in sources:
        by_source["notes"] = _notes(session, case, selection["notes"])
    if "timeline" in sources:
        by_source["timeline"] = _timeline(session, ctx, case, selection["subjects"])
    if "chart" in sources:
        by_source["chart"] = _chart(session, ctx, case, selection["chart"])
    fields = {
        item.name: sections.get(item.name, "") if item.edited else by_source[item.source]
        for item in definition.fields
    }
    return {
        "title": title,
        "template": {"key": key, "name": definition.name, "version": template_version},
        "case": case_view(session, case),
        "prepared_by": ctx.actor.username,
        "prepared_at": _stamp(prepared_at),
        "fields": fields,
    }

"""Chain-of-custody reports and item labels as PDF, rendered by the embedded typst compiler.

The templates in ``templates/`` read their data as JSON from ``sys.inputs``, so text from the
case (descriptions, notes) is shown as text and never evaluated as typst markup. Only typst's
embedded fonts are used, so a report renders the same on every machine.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from importlib import resources
from typing import Any

import qrcode
import qrcode.image.svg
import typst
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import open_case
from casetrail.core.errors import CasetrailError
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings
from casetrail.evidence.access import open_item
from casetrail.evidence.dossier import build_dossier, select_items
from casetrail.evidence.signing import fingerprint, load_signing_key

log = get_logger(__name__)

QR_PREFIX = "urn:casetrail:evidence:"
_NONE = "none recorded"


def _template(name: str) -> bytes:
    return resources.files("casetrail.evidence").joinpath("templates", name).read_bytes()


def _when(value: str | None) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S UTC")


def _size(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit} ({size:,} bytes)"
    return f"{size:,} bytes"


def _event_view(event: dict[str, Any], seq_by_id: dict[str, int]) -> dict[str, Any]:
    parties = " → ".join(part for part in (event["from_name"], event["to_name"]) if part)
    purpose = (event["purpose"] or "").replace("_", " ")
    place = ", ".join(part for part in (event["location"], purpose) if part)
    seal = ", ".join(part for part in (event["seal_number"], event["condition"]) if part)
    notes = event["notes"]
    details = event["details"]
    if event["event_type"] == "correction":
        fields = "; ".join(f"{name}: {value}" for name, value in details.get("fields", {}).items())
        notes = f"{notes} (corrected: {fields})" if fields else notes
    elif event["event_type"] in ("status_change", "seal_change"):
        notes = f"{details.get('from') or '-'} → {details.get('to')}. {notes}".strip()
    elif event["event_type"] == "file_added":
        # The full hash is in the Files table; a 64-digit word would not fit the notes column.
        short_hash = str(details.get("sha256"))[:16]
        notes = f"{details.get('file_name')} ({details.get('kind')}), SHA-256 {short_hash}..."
    corrected = event["corrects_event_id"]
    return {
        "seq": event["seq"],
        "occurred_at": _when(event["occurred_at"]),
        "recorded_at": _when(event["recorded_at"]),
        "event_type": event["event_type"].replace("_", " "),
        "corrects": str(seq_by_id.get(corrected, corrected)) if corrected else "",
        "parties": parties,
        "place": place,
        "seal": seal,
        "recorded_by": event["recorded_by"],
        "notes": notes,
        "hash": event["hash"],
    }


def _item_view(item: dict[str, Any]) -> dict[str, Any]:
    seq_by_id = {event["id"]: event["seq"] for event in item["events"]}
    chain = item["chain"]
    if chain["ok"]:
        chain_status = f"Hash chain verified: {chain['events_checked']} events, newest hash matches the item."
    else:
        chain_status = f"HASH CHAIN BROKEN at event {chain['first_bad_seq']}: {chain['problem']}"
    obtained = ", ".join(
        part for part in (_when(item["obtained_at"]), item["obtained_place"], item["obtained_method"]) if part
    )
    return {
        "id": item["id"],
        "number": item["number"],
        "description": item["description"],
        "category": item["category"],
        "status": item["status"].replace("_", " "),
        "obtained": f"{obtained}; by {item['obtained_by']}",
        "obtained_from": item["obtained_from"]["caption"] if item["obtained_from"] else _NONE,
        "entities": "; ".join(entity["caption"] for entity in item["entities"]) or _NONE,
        "storage_location": item["storage_location"] or _NONE,
        "seal_number": item["seal_number"] or _NONE,
        "custodian": item["custodian"],
        "pending_receiver": item["pending_receiver"] or _NONE,
        "events": [_event_view(event, seq_by_id) for event in item["events"]],
        "files": [
            {
                "file_name": file["file_name"],
                "kind": file["kind"].replace("_", " "),
                "size": _size(file["size"]),
                "media_type": file["media_type"],
                "sha256": file["sha256"],
            }
            for file in item["files"]
        ],
        "chain_status": chain_status,
    }


def _compile(template: str, inputs: dict[str, str], timestamp: datetime) -> bytes:
    try:
        return typst.compile(
            _template(template),
            format="pdf",
            ignore_system_fonts=True,
            sys_inputs=inputs,
            # The PDF's creation date; typst takes whole seconds only.
            timestamp=timestamp.replace(microsecond=0),
        )
    except typst.TypstError as error:
        log.error("report_render_failed", template=template)
        raise CasetrailError(f"rendering {template} failed: {error.message}") from error


def render_custody_report(dossier: dict[str, Any]) -> bytes:
    view = {
        "case_number": dossier["case"]["number"],
        "case_title": dossier["case"]["title"],
        "sensitivity": dossier["case"]["sensitivity"],
        "generated_at": _when(dossier["generated_at"]),
        "generated_by": dossier["generated_by"],
        "signing_key_fingerprint": dossier["signing_key_fingerprint"],
        "items": [_item_view(item) for item in dossier["items"]],
    }
    timestamp = datetime.fromisoformat(dossier["generated_at"])
    return _compile("custody_report.typ", {"data": json.dumps(view)}, timestamp)


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=1)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


def render_label(
    *,
    item_id: str,
    item_number: str,
    case_number: str,
    description: str,
    seal_number: str,
    category: str,
    obtained_at: datetime,
) -> bytes:
    short = description if len(description) <= 160 else description[:157].rstrip() + "..."
    identifier = f"{QR_PREFIX}{item_id}"
    data = {
        "item_number": item_number,
        "case_number": case_number,
        "description": short,
        "seal_number": seal_number or "none",
        "category": category,
        "obtained_at": obtained_at.strftime("%Y-%m-%d %H:%M UTC"),
        "identifier": identifier,
    }
    return _compile("label.typ", {"data": json.dumps(data), "qr": qr_svg(identifier)}, obtained_at)


def custody_report(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    number: str,
    item_numbers: list[str] | None = None,
) -> bytes:
    """Render the chain-of-custody report of a case, or of the named items, as PDF."""
    access = open_case(session, ctx, number, CasePermission.READ, "evidence.report")
    items = select_items(session, access.case, item_numbers)
    signing = fingerprint(load_signing_key(settings).public_key())
    dossier = build_dossier(
        session, access.case, items, generated_by=ctx.actor.username, signing_fingerprint=signing
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.EVIDENCE_REPORT,
        object_type="evidence_item",
        case_id=access.case.id,
        detail={"items": [item.id for item in items]},
    )
    return render_custody_report(dossier)


def item_label(session: Session, ctx: RequestContext, number: str, item_number: str) -> bytes:
    """Render the label of one item (number, case, short description, QR code of its id) as PDF."""
    access = open_item(session, ctx, number, item_number, CasePermission.READ, attempted="evidence.label")
    item = access.item
    record(
        session,
        ctx.audit_source,
        AuditAction.EVIDENCE_LABEL,
        object_type="evidence_item",
        object_id=item.id,
        case_id=access.case.id,
    )
    return render_label(
        item_id=item.id,
        item_number=item.number,
        case_number=access.case.number,
        description=item.description,
        seal_number=item.seal_number,
        category=item.category,
        obtained_at=item.obtained_at,
    )

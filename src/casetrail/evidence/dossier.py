"""The custody dossier: one JSON-ready description of items, their custody logs and files.

Reports render it, packages store it as ``custody_log.json``. Events keep every hashed field
under its stored name, with ``prev_hash`` and ``hash``, so that anyone can recompute the chain
from the JSON alone (see ``chain``). The display names added beside them are not hashed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.auth.models import User
from casetrail.cases.models import Case
from casetrail.core.clock import utcnow
from casetrail.core.errors import NotFound
from casetrail.entities.service import caption_map
from casetrail.evidence.access import load_item
from casetrail.evidence.chain import check_chain
from casetrail.evidence.custody import item_events
from casetrail.evidence.files import item_files
from casetrail.evidence.models import CustodyEvent, EvidenceEntityLink, EvidenceFile, EvidenceItem

DOSSIER_FORMAT = "casetrail-custody-log"
DOSSIER_VERSION = 1


def select_items(session: Session, case: Case, item_numbers: list[str] | None) -> list[EvidenceItem]:
    """Return the named items in the given order, or every item of the case by number."""
    if item_numbers:
        return [load_item(session, case, number) for number in dict.fromkeys(item_numbers)]
    items = list(
        session.execute(
            select(EvidenceItem).where(EvidenceItem.case_id == case.id).order_by(EvidenceItem.number)
        ).scalars()
    )
    if not items:
        raise NotFound(f"case {case.number} has no evidence items")
    return items


class _Names:
    """Usernames by id, looked up once each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[str, str] = {}

    def __call__(self, user_id: str | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self.cache:
            user = self.session.get(User, user_id)
            self.cache[user_id] = f"{user.display_name} ({user.username})" if user else user_id
        return self.cache[user_id]


def _party(name: str | None, location: str | None) -> str:
    return name or location or ""


def event_document(event: CustodyEvent, names: _Names) -> dict[str, Any]:
    return {
        **event.hashed_fields(),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "from_name": _party(names(event.from_user_id), event.from_location),
        "to_name": _party(names(event.to_user_id), event.to_location),
    }


def file_document(evidence_file: EvidenceFile) -> dict[str, Any]:
    return {
        "id": evidence_file.id,
        "file_name": evidence_file.file_name,
        "kind": evidence_file.kind,
        "sha256": evidence_file.sha256,
        "size": evidence_file.size,
        "media_type": evidence_file.media_type,
        "derived_from_sha256": evidence_file.derived_from_sha256,
        "uploaded_by": evidence_file.uploaded_by,
        "uploaded_at": evidence_file.uploaded_at.isoformat(),
    }


def item_document(session: Session, case: Case, item: EvidenceItem, names: _Names) -> dict[str, Any]:
    events = [event_document(event, names) for event in item_events(session, item.id)]
    chain = check_chain(events, expected_head=item.custody_head)
    linked = list(
        session.execute(
            select(EvidenceEntityLink.entity_id)
            .where(EvidenceEntityLink.item_id == item.id)
            .order_by(EvidenceEntityLink.entity_id)
        ).scalars()
    )
    captions = caption_map(
        session, case, [*linked, *([item.obtained_from_entity_id] if item.obtained_from_entity_id else [])]
    )
    return {
        "id": item.id,
        "number": item.number,
        "description": item.description,
        "category": item.category,
        "status": item.status,
        "obtained_method": item.obtained_method,
        "obtained_at": item.obtained_at.isoformat(),
        "obtained_place": item.obtained_place,
        "obtained_by": item.obtained_by,
        "obtained_from": (
            {"entity_id": item.obtained_from_entity_id, "caption": captions[item.obtained_from_entity_id]}
            if item.obtained_from_entity_id
            else None
        ),
        "entities": [{"entity_id": entity_id, "caption": captions[entity_id]} for entity_id in linked],
        "storage_location": item.storage_location,
        "seal_number": item.seal_number,
        "custodian": _party(names(item.custodian_user_id), item.custodian_location),
        "pending_receiver": names(item.pending_receiver_id),
        "custody_head": item.custody_head,
        "files": [file_document(evidence_file) for evidence_file in item_files(session, item.id)],
        "events": events,
        "chain": {
            "ok": chain.ok,
            "events_checked": chain.events_checked,
            "head_hash": chain.head_hash,
            "first_bad_seq": chain.first_bad_seq,
            "problem": chain.problem,
        },
    }


def build_dossier(
    session: Session, case: Case, items: list[EvidenceItem], *, generated_by: str, signing_fingerprint: str
) -> dict[str, Any]:
    """Describe ``items`` of ``case``; the caller has checked the actor's access to the case."""
    names = _Names(session)
    return {
        "format": DOSSIER_FORMAT,
        "version": DOSSIER_VERSION,
        "case": {"id": case.id, "number": case.number, "title": case.title, "sensitivity": case.sensitivity},
        "generated_at": utcnow().isoformat(),
        "generated_by": generated_by,
        "signing_key_fingerprint": signing_fingerprint,
        "items": [item_document(session, case, item, names) for item in items],
    }

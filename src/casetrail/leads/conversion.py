"""Turning a lead into case content: link it to a case, or open a new case from it.

The lead's facts become FtM entities of the case, each statement with the lead as its source
(``source_type`` lead, ``source_id`` the lead id):

- an Event for the report itself: title, text, time, place, and the phones, e-mails and names
  it mentions;
- a Person for each name, or a Company or Organization for a name with a legal form
  (``leads.parties``), linked to the Event as involved;
- a Vehicle for each plate;
- an Address for the place, linked to the Event.

The tipster's own contact details stay on the lead: a source is not case content. A phone or
e-mail in the text equal to a contact field is not carried as a mention either, and the
Event's summary shows it masked.

Each attachment is re-homed as a new case document (origin ``tip``) that points at the same
blob. Its ``meta.provenance`` names the lead and the tip document it was copied from, and it is
ingested and indexed like any case document.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission, LeadPermission
from casetrail.auth.roles import Sensitivity
from casetrail.cases import service as case_service
from casetrail.cases.access import ensure_not_frozen, open_case
from casetrail.cases.models import Case
from casetrail.core.clock import utcnow
from casetrail.core.errors import Conflict
from casetrail.core.ids import new_id
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings
from casetrail.db.outbox import emit
from casetrail.documents.models import Document
from casetrail.documents.service import queue_ingestion
from casetrail.entities import service as entity_service
from casetrail.entities.statements import Source, SourceType
from casetrail.leads.access import LeadAccess, open_lead
from casetrail.leads.models import Lead, LeadAddition
from casetrail.leads.normalize import (
    email_key,
    email_spans,
    emails_in_text,
    phone_key,
    phone_spans,
    phones_in_text,
)
from casetrail.leads.parties import schema_for_name
from casetrail.leads.queue import lead_attachments
from casetrail.leads.records import add_status_change, publish
from casetrail.leads.workflow import LeadStatus

log = get_logger(__name__)

CONTACT_PHONE_MASK = "[the source's contact phone]"
CONTACT_EMAIL_MASK = "[the source's contact e-mail]"


@dataclass(frozen=True)
class Conversion:
    case: Case
    entity_ids: list[str]
    documents: list[Document]


def link_case(
    session: Session, ctx: RequestContext, settings: Settings, reference: str, *, case_number: str
) -> Conversion:
    """Link a lead to an existing case and carry its facts and attachments into it."""
    access = open_lead(session, ctx, reference, LeadPermission.WORK, "lead.link_case", lock=True)
    _check_unlinked(access.lead)
    case_access = open_case(session, ctx, case_number, CasePermission.WRITE, "lead.link_case")
    policy.require_lead_case_link(access.permissions, case_access.permissions)
    ensure_not_frozen(case_access.case)
    return _carry(session, ctx, settings, access, case_access.case, note=f"linked to case {case_number}")


def open_case_from_lead(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    reference: str,
    *,
    title: str | None = None,
    lead_username: str | None = None,
    sensitivity: str = Sensitivity.RESTRICTED,
    offence_category: str = "",
) -> Conversion:
    """Open a case from a lead (the lead's title by default) and carry its facts and attachments."""
    access = open_lead(session, ctx, reference, LeadPermission.WORK, "lead.open_case", lock=True)
    _check_unlinked(access.lead)
    policy.require_case_from_lead(ctx, access.permissions)
    lead = access.lead
    case = case_service.create_case(
        session,
        ctx,
        title=(title or lead.title).strip(),
        lead_username=lead_username,
        summary=f"Opened from lead {lead.reference}.",
        offence_category=offence_category or lead.category,
        sensitivity=sensitivity,
    )
    return _carry(session, ctx, settings, access, case, note=f"case {case.number} opened from the lead")


def _check_unlinked(lead: Lead) -> None:
    if lead.case_id is not None:
        raise Conflict(f"lead {lead.reference} is already linked to a case; a lead goes into one case")


def _carry(
    session: Session, ctx: RequestContext, settings: Settings, access: LeadAccess, case: Case, *, note: str
) -> Conversion:
    lead = access.lead
    entity_ids = carry_facts(session, ctx, settings, lead, case)
    documents = carry_attachments(session, ctx, lead, case)
    lead.case_id = case.id
    changed = ["case"]
    if lead.status not in (LeadStatus.ACTIONED, LeadStatus.CLOSED):
        add_status_change(
            session, ctx, lead, from_status=lead.status, to_status=LeadStatus.ACTIONED, reason=note
        )
        lead.status = LeadStatus.ACTIONED
        changed.append("status")
    session.flush()
    publish(
        session,
        ctx,
        lead,
        AuditAction.LEAD_LINK_CASE,
        operation="update",
        changed=changed,
        detail={"entities": len(entity_ids), "documents": len(documents)},
    )
    log.info("lead_linked_to_case", lead_id=lead.id, case_id=case.id, entities=len(entity_ids))
    return Conversion(case=case, entity_ids=entity_ids, documents=documents)


def _mentioned(lead: Lead, settings: Settings, additions: list[str]) -> tuple[list[str], list[str]]:
    """Return the phones (E.164) and e-mails the report's text mentions, less the tipster's own.

    A tipster often repeats their contact phone or e-mail in the text ("call me on ..."). Those
    are the source's details, which stay on the lead, so a mention equal to a contact field is
    dropped. A number the tipster did not enter as contact is indistinguishable from others and kept.
    """
    region = settings.leads.phone_region
    texts = [lead.body, lead.location, *additions]
    phones: set[str] = set()
    emails: set[str] = set()
    for text in texts:
        phones |= phones_in_text(text, region)
        emails |= emails_in_text(text)
    phones.discard(phone_key(lead.contact_phone, region) or "")
    emails.discard(email_key(lead.contact_email) or "")
    return sorted(phones), sorted(emails)


def carry_facts(
    session: Session, ctx: RequestContext, settings: Settings, lead: Lead, case: Case
) -> list[str]:
    """Create the lead's entities in ``case``; return their ids, the Event's last."""
    source = Source(SourceType.LEAD, lead.id)
    query = select(LeadAddition.body).where(LeadAddition.lead_id == lead.id)
    additions = list(session.execute(query).scalars())
    created: list[str] = []

    def create(schema: str, properties: dict[str, list[str]]) -> str:
        view = entity_service.create_entity(
            session, ctx, case.number, schema=schema, properties=properties, source=source, entity_id=new_id()
        )
        created.append(view.record.entity_id)
        return view.record.entity_id

    parties = [create(schema_for_name(name), {"name": [name]}) for name in lead.subject_names]
    for plate in lead.vehicle_plates:
        create("Vehicle", {"registrationNumber": [plate], "name": [plate]})
    address = create("Address", {"full": [lead.location]}) if lead.location else None

    phones, emails = _mentioned(lead, settings, additions)
    report = _report_text(lead, additions, settings.leads.phone_region)
    event: dict[str, list[str]] = {"name": [lead.title], "summary": [report]}
    if lead.occurred_at is not None:
        event["date"] = [lead.occurred_at.strftime("%Y-%m-%dT%H:%M:%S")]
    if lead.location:
        event["location"] = [lead.location]
    if address:
        event["addressEntity"] = [address]
    if parties:
        event["involved"] = parties
    if lead.subject_names:
        event["namesMentioned"] = list(lead.subject_names)
    if phones:
        event["phoneMentioned"] = phones
    if emails:
        event["emailMentioned"] = emails
    create("Event", event)
    return created


def _report_text(lead: Lead, additions: list[str], region: str | None) -> str:
    parts = [lead.body or lead.title, *(f"Added later: {text}" for text in additions)]
    return _without_contact("\n\n".join(parts), lead, region)


def _without_contact(text: str, lead: Lead, region: str | None) -> str:
    """Replace the tipster's own contact phone and e-mail where the text repeats them."""
    phone = phone_key(lead.contact_phone, region)
    email = email_key(lead.contact_email)
    spans = [
        (start, end, CONTACT_PHONE_MASK) for start, end, key in phone_spans(text, region) if key == phone
    ] + [(start, end, CONTACT_EMAIL_MASK) for start, end, key in email_spans(text) if key == email]
    # Replace from the end, so that the offsets of earlier spans stay valid.
    for start, end, mask in sorted(spans, reverse=True):
        text = text[:start] + mask + text[end:]
    return text


def carry_attachments(session: Session, ctx: RequestContext, lead: Lead, case: Case) -> list[Document]:
    """Add each tip attachment to the case as a new document on the same blob, and queue its ingestion."""
    copies: list[Document] = []
    for original in lead_attachments(session, lead.id):
        document_id = new_id()
        copy = Document(
            id=document_id,
            root_id=document_id,
            case_id=case.id,
            lead_id=lead.id,
            depth=0,
            origin="tip",
            file_name=original.file_name,
            sha256=original.sha256,
            size=original.size,
            declared_media_type=original.declared_media_type,
            status="queued",
            uploaded_by=ctx.actor.username,
            uploaded_by_id=ctx.actor.user_id,
            meta={
                "provenance": {
                    "lead_id": lead.id,
                    "lead_reference": lead.reference,
                    "tip_document_id": original.id,
                    "received_at": original.created_at.isoformat(),
                }
            },
            labels=[],
            created_at=utcnow(),
        )
        session.add(copy)
        session.flush()
        queue_ingestion(session, copy)
        emit(
            session,
            object_type="document",
            object_id=copy.id,
            operation="create",
            case_id=case.id,
            payload={"status": copy.status},
        )
        copies.append(copy)
    return copies

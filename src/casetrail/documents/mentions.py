"""Suggested facts from documents: list, accept as an entity fact, or dismiss.

Ingestion stores every identifier it finds as a ``suggested`` mention with its document and
page. Accepting one writes a statement through the entity services with the document as its
source, either on an existing entity of the case or on a new one, and records on the mention
which entity and property it became. The mention keeps the page, so the fact can be traced to
the page it was read from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import DocumentAction
from casetrail.core.clock import utcnow
from casetrail.core.errors import InvalidTransition, NotFound, ValidationFailed
from casetrail.documents.access import DocumentAccess, open_document
from casetrail.documents.models import MENTION_KINDS, MENTION_STATUSES, Document, DocumentMention
from casetrail.entities.models import CaseEntity
from casetrail.entities.service import EntityView, add_statements, create_entity
from casetrail.entities.statements import Source, SourceType

# The FtM property an accepted mention fills on an existing entity, by kind.
DEFAULT_PROPERTY = {
    "email": "email",
    "phone": "phone",
    "iban": "iban",
    "account": "accountNumber",
    "url": "website",
    "date": "date",
}
# The schema of a new entity made from a mention, by kind.
NEW_ENTITY_SCHEMA = {
    "email": "LegalEntity",
    "phone": "LegalEntity",
    "iban": "BankAccount",
    "account": "BankAccount",
    "url": "LegalEntity",
    "date": "Event",
}


@dataclass(frozen=True)
class MentionDecision:
    mention: DocumentMention
    entity: EntityView | None


def list_mentions(
    session: Session,
    ctx: RequestContext,
    document_id: str,
    *,
    status: str | None = None,
    kind: str | None = None,
) -> list[DocumentMention]:
    """List a document's mentions by page, then kind and value. Audited as a read."""
    access = open_document(session, ctx, document_id, DocumentAction.READ)
    query = select(DocumentMention).where(DocumentMention.document_id == access.document.id)
    if status is not None:
        _check_choice("status", status, MENTION_STATUSES)
        query = query.where(DocumentMention.status == status)
    if kind is not None:
        _check_choice("kind", kind, MENTION_KINDS)
        query = query.where(DocumentMention.kind == kind)
    query = query.order_by(DocumentMention.page_no, DocumentMention.kind, DocumentMention.normalized)
    record(
        session,
        ctx.audit_source,
        AuditAction.DOCUMENT_READ,
        object_type="document",
        object_id=access.document.id,
        case_id=access.document.case_id,
        detail={"part": "mentions"},
    )
    return list(session.execute(query).scalars())


def _check_choice(field: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValidationFailed(f"unknown {field} {value!r}", {field: f"one of {', '.join(choices)}"})


def _open_mention(
    session: Session, ctx: RequestContext, document_id: str, mention_id: str
) -> tuple[DocumentAccess, DocumentMention]:
    access = open_document(session, ctx, document_id, DocumentAction.DECIDE_MENTION)
    mention = session.get(DocumentMention, mention_id, with_for_update=True)
    if mention is None or mention.document_id != access.document.id:
        raise NotFound(f"mention {mention_id} not found in document {document_id}")
    if mention.status != "suggested":
        raise InvalidTransition(
            f"mention {mention_id} was already {mention.status} by {mention.decided_by}; "
            "only a suggestion can be accepted or dismissed"
        )
    return access, mention


def accept_mention(
    session: Session,
    ctx: RequestContext,
    document_id: str,
    mention_id: str,
    *,
    entity_id: str | None = None,
    prop: str | None = None,
    schema: str | None = None,
    expected_version: int | None = None,
) -> MentionDecision:
    """Record a suggested identifier as a fact with the document as its source.

    With ``entity_id``, the value is added to that entity of the case as ``prop`` (by default
    the property for the mention's kind, e.g. ``phone``). Without it, a new entity is created:
    ``schema`` defaults to LegalEntity for e-mail, phone and URL, BankAccount for IBAN and
    account, and Event for a date. An empty ``entity_id`` (the "choose an entity" option of a
    form) is rejected rather than read as "new entity". ``expected_version`` of the entity may
    be left out: adding a value does not depend on the entity's other facts, so the current
    version is used.
    """
    access, mention = _open_mention(session, ctx, document_id, mention_id)
    if entity_id is not None and not entity_id.strip():
        raise ValidationFailed(
            "no entity chosen: choose the entity to add this value to from the list, "
            "or accept the value as a new entity",
            {"entity_id": "choose an entity"},
        )
    if access.case is None:
        raise ValidationFailed(
            "this document belongs to a tip without a case: link the tip to a case first",
            {"document_id": "no case"},
        )
    source = Source(SourceType.DOCUMENT, access.document.id)
    chosen_prop = prop or DEFAULT_PROPERTY[mention.kind]
    if entity_id is not None:
        view = add_statements(
            session,
            ctx,
            access.case.number,
            entity_id,
            properties={chosen_prop: [mention.normalized]},
            source=source,
            expected_version=expected_version or _entity_version(session, access.case.id, entity_id),
        )
    else:
        chosen_schema = schema or NEW_ENTITY_SCHEMA[mention.kind]
        properties = _new_entity_properties(mention, access.document, chosen_prop)
        view = create_entity(
            session, ctx, access.case.number, schema=chosen_schema, properties=properties, source=source
        )
    _decide(mention, ctx, "accepted", entity_id=view.proxy.id, prop=chosen_prop)
    _record_decision(session, ctx, AuditAction.MENTION_ACCEPT, access.document, mention)
    return MentionDecision(mention=mention, entity=view)


def _entity_version(session: Session, case_id: str, entity_id: str) -> int | None:
    row = session.get(CaseEntity, (case_id, entity_id))
    return row.version if row is not None else None


def _new_entity_properties(mention: DocumentMention, document: Document, prop: str) -> dict[str, Any]:
    properties: dict[str, Any] = {prop: [mention.normalized]}
    if mention.kind in ("email", "phone"):
        properties["name"] = [mention.normalized]
    elif mention.kind == "url":
        properties["name"] = [urlsplit(mention.normalized).hostname or mention.normalized]
    elif mention.kind == "date":
        properties["name"] = [f"{document.file_name}, page {mention.page_no}"]
    return properties


def dismiss_mention(
    session: Session, ctx: RequestContext, document_id: str, mention_id: str
) -> MentionDecision:
    """Mark a suggestion as not a fact; it stays listed as dismissed."""
    access, mention = _open_mention(session, ctx, document_id, mention_id)
    _decide(mention, ctx, "dismissed")
    _record_decision(session, ctx, AuditAction.MENTION_DISMISS, access.document, mention)
    return MentionDecision(mention=mention, entity=None)


def _decide(
    mention: DocumentMention,
    ctx: RequestContext,
    status: str,
    *,
    entity_id: str | None = None,
    prop: str | None = None,
) -> None:
    mention.status = status
    mention.entity_id = entity_id
    mention.prop = prop
    mention.decided_by = ctx.actor.username
    mention.decided_at = utcnow()


def _record_decision(
    session: Session, ctx: RequestContext, action: AuditAction, document: Document, mention: DocumentMention
) -> None:
    record(
        session,
        ctx.audit_source,
        action,
        object_type="document",
        object_id=document.id,
        case_id=document.case_id,
        detail={
            "mention_id": mention.id,
            "kind": mention.kind,
            "page_no": mention.page_no,
            "entity_id": mention.entity_id,
            "prop": mention.prop,
        },
    )

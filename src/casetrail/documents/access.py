"""Loading a document for an actor: the one path from a document id to a permission decision."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission, DocumentAction
from casetrail.cases.access import ensure_not_frozen, guard_for
from casetrail.cases.models import Case
from casetrail.core.errors import Hidden, NotFound
from casetrail.documents.models import Document


@dataclass(frozen=True)
class DocumentAccess:
    document: Document
    case: Case | None
    """None for a tip attachment that has no case yet."""
    permissions: frozenset[str]

    def can(self, permission: CasePermission) -> bool:
        return permission in self.permissions

    @property
    def can_write(self) -> bool:
        return CasePermission.WRITE in self.permissions


def open_document(
    session: Session, ctx: RequestContext, document_id: str, action: DocumentAction, *, lock: bool = False
) -> DocumentAccess:
    """Load a document and check ``action``; a document the actor may not see reads as not found."""
    document = session.get(Document, document_id, with_for_update=lock)
    if document is None:
        raise NotFound(f"document {document_id} not found")
    if document.case_id is None:
        granted = policy.require_tip_document(
            ctx, lead_id=document.lead_id, document_id=document.id, action=action
        )
        return DocumentAccess(document=document, case=None, permissions=granted)
    case = session.get_one(Case, document.case_id)
    try:
        granted = policy.require_case_document(session, ctx, guard_for(session, ctx, case), action)
    except Hidden as hidden:
        # The case's message would name its number: a document id must not reveal its case.
        raise Hidden(
            f"document {document_id} not found",
            attempted=hidden.attempted,
            object_type=hidden.object_type,
            object_id=hidden.object_id,
        ) from None
    if action != DocumentAction.READ:
        ensure_not_frozen(case)
    return DocumentAccess(document=document, case=case, permissions=granted)

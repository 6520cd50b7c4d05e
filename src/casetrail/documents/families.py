"""Documents in their families: where a child came from, and copies of the same file.

A child document (attachment, archive member, embedded file) points to its parent, and every
document names its top-level upload in ``root_id``. The case list shows each family together,
uploads newest first and each upload followed by the files read out of it. The viewer shows
the chain from the upload down to the document.

Copies are found by SHA-256 among the documents of the same case only. Every document of a case
is readable by exactly those who may read the case (``policy.require_case_document`` decides
by case), so the read check that opened the list or the document covers the copies it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import DocumentAction
from casetrail.cases.models import Case
from casetrail.core.errors import ValidationFailed
from casetrail.documents.access import open_document
from casetrail.documents.models import DOCUMENT_STATUSES, Document
from casetrail.documents.queries import check_page
from casetrail.documents.service import open_case_for_documents

# Copies named per document. The display leaves out any further copies.
MAX_COPIES_SHOWN = 5
# Extractors nest at most CASETRAIL_DOCUMENTS__MAX_DEPTH levels (5 by default); this bound only
# stops a walk up the parents on a damaged chain.
_MAX_ANCESTORS = 64


@dataclass(frozen=True)
class Copy:
    """Another document of the case with the same SHA-256, and the document it is inside of."""

    document: Document
    parent: Document | None


@dataclass(frozen=True)
class FamilyRow:
    """A document with the names shown beside it in the case list."""

    document: Document
    parent: Document | None
    """The document it was read out of; None for an upload."""
    root: Document | None
    """The top-level upload, when it is not the parent itself."""
    copies: list[Copy] = field(default_factory=list)
    """Other documents of the case with the same SHA-256, oldest first."""


@dataclass(frozen=True)
class FamilyList:
    case: Case
    rows: list[FamilyRow]
    total: int


@dataclass(frozen=True)
class Lineage:
    """The origin of a document, and copies of the same file in its case."""

    ancestors: list[Document]
    """From the top-level upload down to the parent; empty for an upload."""
    copies: list[Copy]


def list_document_families(
    session: Session,
    ctx: RequestContext,
    number: str,
    *,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> FamilyList:
    """List every document of a case, uploads newest first, each followed by its children. Audited.

    Within a family, documents are ordered by depth and then by the time they were stored, so
    a page of ``limit`` rows may end inside a family and the next page continues it.
    """
    case = open_case_for_documents(session, ctx, number, DocumentAction.READ)
    check_page(limit, offset)
    conditions = [Document.case_id == case.id]
    if status is not None:
        if status not in DOCUMENT_STATUSES:
            raise ValidationFailed(
                f"unknown status {status!r}", {"status": f"one of {', '.join(DOCUMENT_STATUSES)}"}
            )
        conditions.append(Document.status == status)
    total = session.execute(select(func.count()).select_from(Document).where(*conditions)).scalar_one()
    root = aliased(Document)
    documents = list(
        session.execute(
            select(Document)
            .join(root, root.id == Document.root_id)
            .where(*conditions)
            .order_by(root.created_at.desc(), root.id, Document.depth, Document.created_at, Document.id)
            .limit(limit)
            .offset(offset)
        ).scalars()
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.DOCUMENT_LIST,
        object_type="case",
        object_id=case.id,
        detail={"status": status, "offset": offset, "families": True},
    )
    return FamilyList(case=case, rows=_rows(session, case.id, documents), total=total)


def _rows(session: Session, case_id: str, documents: list[Document]) -> list[FamilyRow]:
    related_ids = {d.parent_id for d in documents if d.parent_id} | {d.root_id for d in documents}
    related = _by_id(session, case_id, related_ids)
    copies = find_copies(session, case_id, documents)
    rows: list[FamilyRow] = []
    for document in documents:
        parent = related.get(document.parent_id) if document.parent_id else None
        root = related.get(document.root_id) if document.root_id != document.parent_id else None
        rows.append(
            FamilyRow(
                document=document,
                parent=parent,
                root=root if root is not document else None,
                copies=copies.get(document.id, []),
            )
        )
    return rows


def _by_id(session: Session, case_id: str, ids: Iterable[str]) -> dict[str, Document]:
    id_list = list(ids)
    if not id_list:
        return {}
    query = select(Document).where(Document.case_id == case_id, Document.id.in_(id_list))
    return {document.id: document for document in session.execute(query).scalars()}


def find_copies(session: Session, case_id: str, documents: list[Document]) -> dict[str, list[Copy]]:
    """Return, by document id, up to ``MAX_COPIES_SHOWN`` other documents of the case with its SHA-256.

    The caller has checked read access to the case (see the module docstring).
    """
    hashes = {document.sha256 for document in documents}
    if not hashes:
        return {}
    # NOTE: every document with one of these hashes is loaded. A case with thousands of copies
    # of one file makes this query large, although the display keeps only MAX_COPIES_SHOWN.
    candidates = session.execute(
        select(Document)
        .where(Document.case_id == case_id, Document.sha256.in_(list(hashes)))
        .order_by(Document.created_at, Document.id)
    ).scalars()
    by_hash: dict[str, list[Document]] = {}
    for candidate in candidates:
        by_hash.setdefault(candidate.sha256, []).append(candidate)
    kept: dict[str, list[Document]] = {}
    for document in documents:
        others = [other for other in by_hash.get(document.sha256, []) if other.id != document.id]
        if others:
            kept[document.id] = others[:MAX_COPIES_SHOWN]
    parent_ids = {copy.parent_id for copies in kept.values() for copy in copies if copy.parent_id}
    parents = _by_id(session, case_id, parent_ids)
    return {
        document_id: [Copy(copy, parents.get(copy.parent_id) if copy.parent_id else None) for copy in copies]
        for document_id, copies in kept.items()
    }


def get_lineage(session: Session, ctx: RequestContext, document_id: str) -> Lineage:
    """Return a document's ancestors and its copies in the case; needs read access to the document."""
    access = open_document(session, ctx, document_id, DocumentAction.READ)
    document = access.document
    ancestors: list[Document] = []
    current = document
    while current.parent_id is not None and len(ancestors) < _MAX_ANCESTORS:
        parent = session.get(Document, current.parent_id)
        if parent is None or parent.case_id != document.case_id or parent.lead_id != document.lead_id:
            break
        ancestors.append(parent)
        current = parent
    ancestors.reverse()
    copies = find_copies(session, document.case_id, [document]) if document.case_id else {}
    return Lineage(ancestors=ancestors, copies=copies.get(document.id, []))

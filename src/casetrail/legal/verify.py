"""Checking whether a PDF is a version Casetrail issued (see ``sealing`` for what is proved).

The file's SHA-256 is looked up among issued versions. A match is proof: the file is, byte for
byte, the PDF stored at approval. Without a match the footer in the text layer is read: if it
names a document and version, the file claims to be that version but differs from it (changed,
re-saved or printed to PDF again); otherwise it is not a document Casetrail issued.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import open_case_by_id
from casetrail.core.errors import ValidationFailed
from casetrail.legal.models import LegalDocument, LegalDocumentVersion
from casetrail.legal.sealing import FOOTER_PATTERN
from casetrail.legal.textlayer import pdf_text


class Verdict(StrEnum):
    ISSUED = "issued"
    CHANGED = "changed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    sha256: str
    document_id: str | None = None
    version: int | None = None
    case_number: str | None = None
    title: str | None = None
    status: str | None = None
    issued_sha256: str | None = None
    """For a changed file: the SHA-256 of the file Casetrail issued for the claimed version."""

    def describe(self) -> str:
        if self.verdict == Verdict.ISSUED:
            return (
                f"issued by Casetrail: document {self.document_id} version {self.version} "
                f"({self.title}), case {self.case_number}, now {self.status}; SHA-256 {self.sha256}"
            )
        if self.verdict == Verdict.CHANGED:
            issued = (
                f"the issued file has SHA-256 {self.issued_sha256}"
                if self.issued_sha256
                else "that version was never issued"
            )
            return (
                f"NOT the issued file: it claims to be document {self.document_id} version {self.version}, "
                f"but its SHA-256 is {self.sha256} and {issued}"
            )
        return (
            f"not a document Casetrail issued: no issued version has SHA-256 {self.sha256}, "
            "and the file names no Casetrail document"
        )


def _claimed(pdf: bytes) -> tuple[str, int] | None:
    try:
        text = pdf_text(pdf)
    except ValidationFailed:
        return None
    found = FOOTER_PATTERN.search(" ".join(text.split()))
    return (found.group(1), int(found.group(2))) if found else None


def _result(
    session: Session,
    ctx: RequestContext,
    verdict: Verdict,
    *,
    sha256: str,
    document: LegalDocument,
    number: int,
) -> Verification:
    case = open_case_by_id(session, ctx, document.case_id, CasePermission.READ, "legal.verify").case
    issued = session.execute(
        select(LegalDocumentVersion.pdf_sha256).where(
            LegalDocumentVersion.document_id == document.id, LegalDocumentVersion.number == number
        )
    ).scalar_one_or_none()
    return Verification(
        verdict, sha256, document.id, number, case.number, document.title, document.status, issued
    )


def verify_pdf(session: Session, ctx: RequestContext, pdf: bytes) -> Verification:
    """Tell whether ``pdf`` is an issued version, a changed copy of one, or unknown. Audited."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    match = session.execute(
        select(LegalDocumentVersion).where(LegalDocumentVersion.pdf_sha256 == sha256).limit(1)
    ).scalar_one_or_none()
    result = Verification(Verdict.UNKNOWN, sha256)
    case_id = None
    if match is not None:
        document = session.get(LegalDocument, match.document_id)
        assert document is not None
        result = _result(session, ctx, Verdict.ISSUED, sha256=sha256, document=document, number=match.number)
        case_id = document.case_id
    elif (claim := _claimed(pdf)) is not None:
        document = session.get(LegalDocument, claim[0])
        if document is not None:
            result = _result(session, ctx, Verdict.CHANGED, sha256=sha256, document=document, number=claim[1])
            case_id = document.case_id
    record(
        session,
        ctx.audit_source,
        AuditAction.LEGAL_VERIFY,
        object_type="legal_document",
        object_id=result.document_id,
        case_id=case_id,
        detail={"verdict": result.verdict.value, "sha256": sha256, "version": result.version},
    )
    return result

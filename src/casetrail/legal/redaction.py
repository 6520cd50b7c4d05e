"""Redacted copies for dissemination, rendered from the stored inputs with the chosen text removed.

Redaction happens before rendering, in two passes over the version's inputs, each replacing
text by a run of ``REDACTION_MARK`` characters:

- the place and date rows (addresses, birth date, birthplace, date of death) of each chosen
  entity's own subject block are masked there and nowhere else, because the same place or
  date elsewhere in the document is usually about something else;
- in every string, each name, name part and identifier of the chosen entities, and each
  passage the user lists, is replaced wherever it occurs, also inside a longer word.

The preamble draws each run as a black bar. The removed text therefore never reaches typst, so
it is in no content stream, font, text layer or metadata of the copy. The mark has a fixed
length, so a bar does not give away the length of what it hides.

A copy is its own document (status ``redacted``) that names the document and version it was
made from; the original stays as it was.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.blobs.store import BlobStore
from casetrail.core.errors import InvalidTransition, ValidationFailed
from casetrail.entities.models import CaseEntity
from casetrail.entities.statements import build_proxy, live_statements, merge_redirects
from casetrail.legal.models import LegalDocument, LegalTemplateVersion
from casetrail.legal.review import issue
from casetrail.legal.service import (
    OpenedDocument,
    add_event,
    get_version,
    open_document,
    save_version,
)
from casetrail.legal.views import NO_TERMS, RedactionTerms, redaction_terms
from casetrail.legal.workflow import DocumentStatus, ReviewAction

REDACTION_MARK = "█" * 6
MIN_TERM_LENGTH = 2
MAX_TERMS = 500
# Keys whose values are structure (chart node keys and edge ends), never shown as text.
_STRUCTURAL_KEYS = frozenset({"key", "source", "target"})


def compile_terms(terms: set[str]) -> re.Pattern[str] | None:
    """Return one case-insensitive pattern of every term, longest first so whole names go first.

    Terms match inside words too: the surname "Zakharov" also goes from "Zakharova", a relative
    whose name gives the subject away. Over-redacting a name is the safer failure.
    """
    cleaned = sorted(
        {term.strip() for term in terms if len(term.strip()) >= MIN_TERM_LENGTH}, key=len, reverse=True
    )
    if not cleaned:
        return None
    return re.compile("|".join(re.escape(term) for term in cleaned), re.IGNORECASE)


def redact_value(value: Any, pattern: re.Pattern[str]) -> Any:
    """Return ``value`` with every match of ``pattern`` in its strings replaced by the mark."""
    if isinstance(value, str):
        return pattern.sub(REDACTION_MARK, value)
    if isinstance(value, list):
        return [redact_value(item, pattern) for item in value]
    if isinstance(value, dict):
        return {
            key: item if key in _STRUCTURAL_KEYS else redact_value(item, pattern)
            for key, item in value.items()
        }
    return value


def redact_fields(value: Any, terms: RedactionTerms) -> Any:
    """Return ``value`` with the place and date rows of the chosen entities' subject blocks masked.

    A subject block is the ``subject_view`` shape: a caption, a schema and label-value rows. It
    belongs to a chosen entity when its caption is one of that entity's names.
    """
    if isinstance(value, list):
        return [redact_fields(item, terms) for item in value]
    if not isinstance(value, dict):
        return value
    if _is_chosen_subject(value, terms):
        rows = [
            {**row, "value": REDACTION_MARK} if row.get("label") in terms.field_labels else row
            for row in value["properties"]
        ]
        return {**value, "properties": rows}
    return {key: redact_fields(item, terms) for key, item in value.items()}


def _is_chosen_subject(value: dict[str, Any], terms: RedactionTerms) -> bool:
    captions = {caption.casefold() for caption in terms.captions}
    caption = value.get("caption")
    return (
        isinstance(caption, str)
        and caption.casefold() in captions
        and isinstance(value.get("properties"), list)
        and all(isinstance(row, dict) for row in value["properties"])
    )


def entity_terms(session: Session, case_id: str, entity_ids: list[str]) -> RedactionTerms:
    redirects = merge_redirects(session, case_id)
    terms = NO_TERMS
    for entity_id in entity_ids:
        canonical = redirects.get(entity_id, entity_id)
        row = session.get(CaseEntity, (case_id, canonical))
        if row is None:
            raise ValidationFailed(f"entity {entity_id} is not in this case", {"entities": "unknown entity"})
        proxy = build_proxy(canonical, row.schema, live_statements(session, case_id, canonical), redirects)
        terms |= redaction_terms(proxy)
    return terms


def _clean_passages(passages: list[str]) -> list[str]:
    cleaned = [" ".join(passage.split()) for passage in passages]
    return [passage for passage in cleaned if passage]


def redact_document(
    session: Session,
    ctx: RequestContext,
    store: BlobStore,
    number: str,
    document_id: str,
    *,
    entity_ids: list[str],
    passages: list[str],
    version: int | None = None,
) -> LegalDocument:
    """Issue a redacted copy of an approved or filed version without the chosen names and passages."""
    opened = open_document(session, ctx, number, document_id, CasePermission.WRITE, attempted="legal.redact")
    source = opened.document
    if source.status not in (DocumentStatus.APPROVED, DocumentStatus.FILED):
        raise InvalidTransition(
            f"legal document {source.id} is {source.status}: redact an approved or filed document"
        )
    chosen = get_version(session, source, version)
    if chosen.pdf_sha256 is None:
        raise InvalidTransition(f"version {chosen.number} of legal document {source.id} was not issued")
    cleaned_passages = _clean_passages(passages)
    terms = entity_terms(session, source.case_id, entity_ids)
    words = set(terms.words) | set(cleaned_passages)
    if len(words) > MAX_TERMS:
        raise ValidationFailed(f"{len(words)} terms to redact, at most {MAX_TERMS}", {"passages": "too many"})
    pattern = compile_terms(words)
    if pattern is None:
        raise ValidationFailed(
            "choose the entities whose names to remove, or give passages to remove",
            {"entities": "nothing chosen"},
        )

    copy = LegalDocument(
        case_id=source.case_id,
        template_id=source.template_id,
        title=f"{source.title} (redacted)"[:300],
        status=DocumentStatus.REDACTED.value,
        selection={"entities": list(entity_ids), "passages": cleaned_passages},
        latest_version=1,
        author_id=ctx.actor.user_id,
        author_name=ctx.actor.username,
        redacted_from_id=source.id,
        redacted_from_version=chosen.number,
    )
    session.add(copy)
    session.flush()
    # Field rows first: the word pass would mask the captions that identify the subject blocks.
    inputs = redact_value(redact_fields(chosen.inputs, terms), pattern)
    template_row = session.get(LegalTemplateVersion, chosen.template_version_id)
    assert template_row is not None
    save_version(session, ctx, copy, template_version_row=template_row, inputs=inputs, number=1)
    add_event(session, ctx, copy, ReviewAction.REDACT, from_status=None)
    session.flush()
    issued = issue(
        session, ctx, store, OpenedDocument(opened.access, copy, opened.template), approver=ctx.actor.username
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.LEGAL_REDACT,
        object_type="legal_document",
        object_id=copy.id,
        case_id=copy.case_id,
        detail={
            "source": source.id,
            "source_version": chosen.number,
            "entities": list(entity_ids),
            "passages": len(cleaned_passages),
            "pdf_sha256": issued.pdf_sha256,
        },
    )
    session.flush()
    return copy

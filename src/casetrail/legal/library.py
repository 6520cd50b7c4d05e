"""The template library: shipped templates, versions saved by administrators, and their checks.

Casetrail ships its templates as files in ``templates/`` (``KEY.typ`` and ``KEY.toml``); the
first time the library is read, each shipped template missing from the database is saved as
version 1. An administrator then saves new versions in the web UI, through the API, or with
``casetrail doc templates add``. A version is saved only after its field definitions parse and
its source compiles against sample data and keeps the Casetrail footer, so a template error is
reported, with the template's name and line, before anyone uses it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.core.clock import utcnow
from casetrail.core.errors import NotFound, ValidationFailed
from casetrail.core.logging import get_logger
from casetrail.legal.definitions import TemplateDefinition, parse_definition
from casetrail.legal.models import LegalTemplate, LegalTemplateVersion
from casetrail.legal.render import compile_pdf, preamble, shipped_file
from casetrail.legal.sample import SAMPLE_TIME, sample_inputs
from casetrail.legal.sealing import FOOTER_PATTERN, content_sha256, footer_meta
from casetrail.legal.textlayer import pdf_text

log = get_logger(__name__)

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
SHIPPED_BY = "casetrail"
MAX_SOURCE_LENGTH = 200_000
SAMPLE_DOCUMENT_ID = "00000000-0000-7000-8000-000000000000"


@dataclass(frozen=True)
class TemplateView:
    template: LegalTemplate
    current: LegalTemplateVersion
    definition: TemplateDefinition


def shipped_keys() -> list[str]:
    folder = resources.files("casetrail.legal").joinpath("templates")
    names = {entry.name for entry in folder.iterdir()}
    return sorted(
        name.removesuffix(".typ")
        for name in names
        if name.endswith(".typ") and not name.startswith("_") and f"{name.removesuffix('.typ')}.toml" in names
    )


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise ValidationFailed(
            f"invalid template key {key[:70]!r}: use 2 to 64 lower-case letters, digits and '_', "
            "starting with a letter",
            {"key": "invalid"},
        )
    return key


def version_sha256(preamble_source: str, source: str, definition: str) -> str:
    """Return the SHA-256 of the three texts, each preceded by its length in UTF-8 bytes."""
    digest = hashlib.sha256()
    for part in (preamble_source, source, definition):
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()


def check_template(key: str, source: str, definition_text: str) -> tuple[TemplateDefinition, bytes]:
    """Parse the definitions and compile the source against sample data; return both results.

    Raises ``ValidationFailed`` naming the template and the line for a definition or compile
    error, and when the rendered sample lacks the footer that ``doc verify`` reads.
    """
    if len(source) > MAX_SOURCE_LENGTH:
        raise ValidationFailed(
            f"template {key}: the source has {len(source)} characters, "
            f"at most {MAX_SOURCE_LENGTH} are allowed",
            {"source": "too long"},
        )
    definition = parse_definition(definition_text, key)
    inputs = sample_inputs(key, definition)
    meta = footer_meta(
        document_id=SAMPLE_DOCUMENT_ID, version=1, status="draft", content_hash=content_sha256(inputs)
    )
    pdf = compile_pdf(key, source, inputs, meta, SAMPLE_TIME)
    found = FOOTER_PATTERN.search(" ".join(pdf_text(pdf).split()))
    if found is None or found.group(1) != SAMPLE_DOCUMENT_ID:
        raise ValidationFailed(
            f"template {key}: the page footer with the document id is missing: do not replace the "
            "footer that the Casetrail preamble sets (#set page(footer: ...))",
            {"source": "footer missing"},
        )
    return definition, pdf


def ensure_shipped(session: Session) -> None:
    """Save each shipped template that the database does not have yet as its version 1."""
    # NOTE: two first requests racing on an empty table can both insert a key; the loser fails
    # once on the unique key of ``legal_template`` and succeeds when repeated.
    existing = set(session.execute(select(LegalTemplate.key)).scalars())
    for key in shipped_keys():
        if key in existing:
            continue
        source, definition_text = shipped_file(f"{key}.typ"), shipped_file(f"{key}.toml")
        definition = parse_definition(definition_text, key)
        _add_version(
            session,
            key,
            source=source,
            definition_text=definition_text,
            definition=definition,
            actor=SHIPPED_BY,
            comment="shipped with Casetrail",
        )
        log.info("legal_template_installed", template=key)
    session.flush()


def _add_version(
    session: Session,
    key: str,
    *,
    source: str,
    definition_text: str,
    definition: TemplateDefinition,
    actor: str,
    comment: str,
) -> LegalTemplateVersion:
    template = session.execute(
        select(LegalTemplate).where(LegalTemplate.key == key).with_for_update()
    ).scalar_one_or_none()
    if template is None:
        template = LegalTemplate(key=key, name=definition.name, current_version=0, created_by=actor)
        session.add(template)
        session.flush()
    template.current_version += 1
    template.name = definition.name
    template.description = definition.description
    template.updated_at = utcnow()
    saved = LegalTemplateVersion(
        template_id=template.id,
        number=template.current_version,
        source=source,
        preamble=preamble(),
        definition=definition_text,
        sha256=version_sha256(preamble(), source, definition_text),
        comment=comment,
        created_by=actor,
    )
    session.add(saved)
    session.flush()
    return saved


def save_template_version(
    session: Session, ctx: RequestContext, key: str, *, source: str, definition: str, comment: str = ""
) -> LegalTemplateVersion:
    """Check and save a new version of template ``key`` (a new template when the key is new)."""
    policy.require_legal_template_admin(ctx)
    check_key(key)
    ensure_shipped(session)
    parsed, _ = check_template(key, source, definition)
    saved = _add_version(
        session,
        key,
        source=source,
        definition_text=definition,
        definition=parsed,
        actor=ctx.actor.username,
        comment=comment.strip()[:2000],
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.LEGAL_TEMPLATE_UPDATE,
        object_type="legal_template",
        object_id=saved.template_id,
        detail={"key": key, "version": saved.number, "sha256": saved.sha256},
    )
    return saved


def list_templates(session: Session, ctx: RequestContext) -> list[TemplateView]:
    policy.require_legal_template_read(ctx)
    ensure_shipped(session)
    templates = session.execute(select(LegalTemplate).order_by(LegalTemplate.name)).scalars()
    return [_view(session, template) for template in templates]


def _view(session: Session, template: LegalTemplate) -> TemplateView:
    current = template_version(session, template, template.current_version)
    return TemplateView(template, current, parse_definition(current.definition, template.key))


def template_version(session: Session, template: LegalTemplate, number: int) -> LegalTemplateVersion:
    found = session.execute(
        select(LegalTemplateVersion).where(
            LegalTemplateVersion.template_id == template.id, LegalTemplateVersion.number == number
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"template {template.key} has no version {number}")
    return found


def load_template(session: Session, key: str) -> LegalTemplate:
    ensure_shipped(session)
    template = session.execute(select(LegalTemplate).where(LegalTemplate.key == key)).scalar_one_or_none()
    if template is None:
        raise NotFound(f"template {key} not found: `casetrail doc templates list` shows the templates")
    return template


def get_template(session: Session, ctx: RequestContext, key: str) -> TemplateView:
    policy.require_legal_template_read(ctx)
    return _view(session, load_template(session, key))


def template_history(session: Session, ctx: RequestContext, key: str) -> list[LegalTemplateVersion]:
    """Return every version of a template, newest first."""
    policy.require_legal_template_read(ctx)
    template = load_template(session, key)
    record(
        session,
        ctx.audit_source,
        AuditAction.LEGAL_TEMPLATE_READ,
        object_type="legal_template",
        object_id=template.id,
    )
    return list(
        session.execute(
            select(LegalTemplateVersion)
            .where(LegalTemplateVersion.template_id == template.id)
            .order_by(LegalTemplateVersion.number.desc())
        ).scalars()
    )

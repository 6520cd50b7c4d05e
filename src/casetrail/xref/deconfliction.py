"""Deconfliction: telling the leads of two cases that they work the same target.

When an entity of one case overlaps an entity of another case (a shared phone, e-mail or
identifier, or a strong match of the whole entity) and a lead cannot see the other case, both
leads get a notice. A notice names the other case's lead and unit and the kind of overlap, and
shows the value from the reader's own case; it never carries the other case's number, title,
entity ids or values.
"""

from __future__ import annotations

from dataclasses import dataclass

from followthemoney.proxy import EntityProxy
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import AuditSource, record
from casetrail.auth import policy
from casetrail.auth.models import Unit, User
from casetrail.auth.policy import CaseGuard, CasePermission
from casetrail.auth.service import actor_for
from casetrail.cases.models import Case, CaseMember
from casetrail.core.logging import get_logger
from casetrail.db.outbox import emit
from casetrail.xref.candidates import pair_key
from casetrail.xref.index import Side
from casetrail.xref.keys import BlockingKey, strong_key
from casetrail.xref.models import Notice

log = get_logger(__name__)

NOTICE_MIN_SCORE = 0.7
"""A whole-entity match at or above this score is an overlap even without a shared identifier."""

_KIND_BY_KEY = {"ph": "phone", "em": "email", "id": "identifier"}


@dataclass(frozen=True)
class Overlap:
    """What two entities share, described from one side: ``label`` and ``value`` are that side's."""

    kind: str
    label: str
    value: str


def overlaps_for(proxy: EntityProxy, strong: list[BlockingKey], match_score: float | None) -> list[Overlap]:
    """Describe each kind of overlap once, with the value as ``proxy``'s own case records it."""
    found: dict[str, Overlap] = {}
    for key in sorted(strong):
        kind = _KIND_BY_KEY[key.kind]
        if kind not in found:
            found[kind] = Overlap(kind, _property_label(proxy, key.prop), _value_for_key(proxy, key))
    if match_score is not None and match_score >= NOTICE_MIN_SCORE:
        found["match"] = Overlap("match", _plain_label(proxy.schema.label), proxy.caption)
    return list(found.values())


def _property_label(proxy: EntityProxy, prop_name: str) -> str:
    prop = proxy.schema.get(prop_name)
    if prop is None:
        return prop_name
    if prop.type.name == "email":
        return "e-mail address"
    return _plain_label(prop.label)


def _plain_label(label: str) -> str:
    """Lower-case a label for use inside a sentence, keeping acronyms: "ID Number" -> "ID number"."""
    return " ".join(word if word.isupper() else word.lower() for word in label.split())


def _value_for_key(proxy: EntityProxy, key: BlockingKey) -> str:
    """Return the value of ``proxy`` that produced ``key``, as recorded (not normalised)."""
    for value in proxy.get(key.prop, quiet=True):
        if strong_key(key.kind, value) == key.key:
            return str(value)
    return key.key.split(":", 1)[1]


@dataclass(frozen=True)
class _Lead:
    user: User
    unit_name: str


def deconflict(
    session: Session,
    source: AuditSource,
    *,
    one: Side,
    one_proxy: EntityProxy,
    other: Side,
    other_proxy: EntityProxy,
    strong: list[BlockingKey],
    other_strong: list[BlockingKey],
    match_score: float | None,
) -> list[Notice]:
    """Create the notices of an overlap between two case entities; return those created now."""
    assert one.case_id is not None
    assert other.case_id is not None
    case_one = session.get(Case, one.case_id)
    case_other = session.get(Case, other.case_id)
    if case_one is None or case_other is None or case_one.id == case_other.id:
        return []
    if not _needs_notice(session, case_one, case_other):
        return []
    mine = overlaps_for(one_proxy, strong, match_score)
    theirs = {item.kind: item for item in overlaps_for(other_proxy, other_strong, match_score)}
    lead_one, lead_other = _lead(session, case_one), _lead(session, case_other)
    created: list[Notice] = []
    key = pair_key(one, other)
    for overlap in mine:
        their_overlap = theirs.get(overlap.kind, overlap)
        created.extend(
            notice
            for notice in (
                _add_notice(
                    session,
                    source,
                    key=key,
                    case=case_one,
                    own=one,
                    other=other,
                    other_lead=lead_other,
                    overlap=overlap,
                ),
                _add_notice(
                    session,
                    source,
                    key=key,
                    case=case_other,
                    own=other,
                    other=one,
                    other_lead=lead_one,
                    overlap=their_overlap,
                ),
            )
            if notice is not None
        )
    return created


def _needs_notice(session: Session, case_one: Case, case_other: Case) -> bool:
    """Return True unless each lead can already see the other lead's case."""
    if case_one.lead_id == case_other.lead_id:
        return False
    one_sees_other = _lead_sees(session, case_one.lead_id, case_other)
    return not (one_sees_other and _lead_sees(session, case_other.lead_id, case_one))


def _lead_sees(session: Session, user_id: str, case: Case) -> bool:
    user = session.get(User, user_id)
    if user is None or not user.active:
        return False
    actor = actor_for(user)
    member_role = session.execute(
        select(CaseMember.role).where(CaseMember.case_id == case.id, CaseMember.user_id == user.id)
    ).scalar_one_or_none()
    guard = CaseGuard(case.id, case.number, case.unit_id, case.sensitivity, member_role)
    granted = policy.case_permissions(actor, guard, policy.supervised_unit_ids(session, actor))
    return CasePermission.READ in granted


def _lead(session: Session, case: Case) -> _Lead:
    user = session.get(User, case.lead_id)
    assert user is not None
    unit = session.get(Unit, case.unit_id) if case.unit_id else None
    return _Lead(user=user, unit_name=unit.name if unit else "no unit")


def _add_notice(
    session: Session,
    source: AuditSource,
    *,
    key: str,
    case: Case,
    own: Side,
    other: Side,
    other_lead: _Lead,
    overlap: Overlap,
) -> Notice | None:
    assert other.case_id is not None
    existing = session.execute(
        select(Notice.id).where(
            Notice.case_id == case.id,
            Notice.entity_id == own.entity_id,
            Notice.other_case_id == other.case_id,
            Notice.other_entity_id == other.entity_id,
            Notice.kind == overlap.kind,
        )
    ).first()
    if existing is not None:
        return None
    notice = Notice(
        pair_key=key,
        case_id=case.id,
        entity_id=own.entity_id,
        recipient_id=case.lead_id,
        other_case_id=other.case_id,
        other_entity_id=other.entity_id,
        other_lead_name=other_lead.user.display_name,
        other_unit_name=other_lead.unit_name,
        kind=overlap.kind,
        label=overlap.label[:100],
        own_value=overlap.value[:500],
        status="open",
    )
    session.add(notice)
    session.flush()
    record(
        session,
        source,
        AuditAction.NOTICE_CREATE,
        object_type="xref_notice",
        object_id=notice.id,
        case_id=case.id,
        detail={"kind": overlap.kind, "recipient_id": case.lead_id, "other_case_id": other.case_id},
    )
    emit(session, object_type="xref_notice", object_id=notice.id, operation="create", case_id=case.id)
    log.info("xref_notice_created", notice_id=notice.id, case_id=case.id, kind=overlap.kind)
    return notice

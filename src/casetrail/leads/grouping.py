"""Grouping similar leads: same phone, e-mail, name or place, or near-identical text.

Each lead's normalised keys are stored in ``lead_key``. A lead shares a group with every lead
that has one of its phone, e-mail, name or place keys, and with every lead whose text reaches
``CASETRAIL_LEADS__SIMILARITY_THRESHOLD`` (Jaccard similarity of word 3-shingles; MinHash band
keys only find the candidates). Groups are merged transitively and never split: when a lead's
facts change, it keeps the group it had and may join more leads.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select, tuple_, update
from sqlalchemy.orm import Session

from casetrail.core.clock import utcnow
from casetrail.core.ids import new_id
from casetrail.core.settings import Settings
from casetrail.leads.models import Lead, LeadAddition, LeadKey, LeadSimilarity
from casetrail.leads.normalize import (
    email_key,
    emails_in_text,
    jaccard,
    minhash_bands,
    name_key,
    phone_key,
    phones_in_text,
    place_key,
    shingles,
)

# Texts shorter than this many shingles (about 8 words) are too short to call near-identical.
MIN_TEXT_SHINGLES = 6


@dataclass(frozen=True)
class Match:
    other_id: str
    reasons: list[str]
    text_score: float


def lead_keys(lead: Lead, settings: Settings, extra_texts: list[str]) -> set[tuple[str, str]]:
    """Return the (kind, value) keys of a lead, from its fields and from added texts."""
    region = settings.leads.phone_region
    texts = [lead.body, lead.location, *extra_texts]
    keys: set[tuple[str, str]] = set()
    for text in texts:
        keys |= {("phone", phone) for phone in phones_in_text(text, region)}
        keys |= {("email", email) for email in emails_in_text(text)}
    contact_phone = phone_key(lead.contact_phone, region) if lead.contact_phone else None
    if contact_phone:
        keys.add(("phone", contact_phone))
    contact_email = email_key(lead.contact_email) if lead.contact_email else None
    if contact_email:
        keys.add(("email", contact_email))
    for name in [lead.contact_name, *lead.subject_names]:
        key = name_key(name) if name else None
        if key:
            keys.add(("name", key))
    place = place_key(lead.location) if lead.location else None
    if place:
        keys.add(("place", place))
    text_shingles = shingles(lead.body)
    if len(text_shingles) >= MIN_TEXT_SHINGLES:
        keys |= {("text", band) for band in minhash_bands(text_shingles)}
    return keys


def _store_keys(session: Session, lead: Lead, keys: set[tuple[str, str]]) -> None:
    session.execute(delete(LeadKey).where(LeadKey.lead_id == lead.id))
    session.add_all(LeadKey(lead_id=lead.id, kind=kind, value=value) for kind, value in sorted(keys))
    session.flush()


def _candidates(session: Session, lead: Lead, keys: set[tuple[str, str]]) -> dict[str, set[str]]:
    if not keys:
        return {}
    rows = session.execute(
        select(LeadKey.lead_id, LeadKey.kind).where(
            tuple_(LeadKey.kind, LeadKey.value).in_(sorted(keys)), LeadKey.lead_id != lead.id
        )
    ).all()
    found: dict[str, set[str]] = {}
    for other_id, kind in rows:
        found.setdefault(other_id, set()).add(kind)
    return found


def find_matches(session: Session, lead: Lead, settings: Settings, keys: set[tuple[str, str]]) -> list[Match]:
    """Return the leads that share an identifier with ``lead`` or whose text is near-identical."""
    threshold = settings.leads.similarity_threshold
    mine = shingles(lead.body)
    matches: list[Match] = []
    for other_id, kinds in sorted(_candidates(session, lead, keys).items()):
        other = session.get(Lead, other_id)
        if other is None:
            continue
        score = jaccard(mine, shingles(other.body))
        reasons = sorted(kinds - {"text"})
        if score >= threshold:
            reasons.append("text")
        if reasons:
            matches.append(Match(other_id=other_id, reasons=reasons, text_score=round(score, 3)))
    return matches


def _record(session: Session, lead: Lead, matches: list[Match]) -> None:
    ids = [match.other_id for match in matches]
    if ids:
        session.execute(
            delete(LeadSimilarity).where(
                or_(
                    (LeadSimilarity.lead_id == lead.id) & LeadSimilarity.other_id.in_(ids),
                    (LeadSimilarity.other_id == lead.id) & LeadSimilarity.lead_id.in_(ids),
                )
            )
        )
    now = utcnow()
    session.add_all(
        LeadSimilarity(
            lead_id=lead.id,
            other_id=match.other_id,
            reasons=match.reasons,
            text_score=match.text_score,
            found_at=now,
        )
        for match in matches
    )


def _merge_groups(session: Session, lead: Lead, matches: list[Match]) -> str | None:
    """Put ``lead`` and its matches in one group, merging the groups they were in."""
    if not matches:
        return lead.group_id
    members = [lead.id, *(match.other_id for match in matches)]
    existing: set[str] = {
        group
        for group in session.execute(
            select(Lead.group_id).where(Lead.id.in_(members), Lead.group_id.is_not(None))
        ).scalars()
        if group is not None
    }
    # The smallest id is kept, so the result does not depend on the order leads arrive in.
    group_id = min(existing) if existing else new_id()
    session.execute(
        update(Lead)
        .where(or_(Lead.id.in_(members), Lead.group_id.in_(sorted(existing))))
        .values(group_id=group_id, version=Lead.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    return group_id


def regroup(session: Session, lead: Lead, settings: Settings) -> list[Match]:
    """Recompute the keys of ``lead`` and join it to the groups of the leads it matches."""
    additions = list(
        session.execute(select(LeadAddition.body).where(LeadAddition.lead_id == lead.id)).scalars()
    )
    keys = lead_keys(lead, settings, additions)
    _store_keys(session, lead, keys)
    matches = find_matches(session, lead, settings, keys)
    _record(session, lead, matches)
    _merge_groups(session, lead, matches)
    session.flush()
    return matches

"""The facts of a lead as callers pass them in, and the checks every lead passes through.

The same checks serve the public form (untrusted, anonymous) and staff input: lengths are
capped, lists are trimmed and de-duplicated, and grading follows the chosen scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from casetrail.auth.roles import Sensitivity
from casetrail.core.errors import ValidationFailed
from casetrail.leads.models import LEAD_CHANNELS, PRIORITIES
from casetrail.leads.normalize import email_key

MAX_TITLE = 300
MAX_LOCATION = 500
MAX_LIST_ITEMS = 20
MAX_ITEM = 200
MAX_SHORT = 100

# Admiralty: source reliability A-F, information credibility 1-6.
# 5x5x5: source evaluation A-E, intelligence assessment 1-5, handling code 1-5.
GRADING_SCALES: dict[str, tuple[str, str, str]] = {
    "admiralty": ("ABCDEF", "123456", ""),
    "5x5x5": ("ABCDE", "12345", "12345"),
}


@dataclass(frozen=True)
class LeadFacts:
    """The facts a source reports."""

    title: str = ""
    body: str = ""
    location: str = ""
    occurred_at: datetime | None = None
    subject_names: list[str] = field(default_factory=list)
    vehicle_plates: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LeadContact:
    """Contact details of the source; all empty means anonymous."""

    name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""

    @property
    def anonymous(self) -> bool:
        return not (self.name or self.phone or self.email or self.address)


@dataclass(frozen=True)
class Grading:
    scale: str | None = None
    source: str | None = None
    information: str | None = None
    handling: str | None = None


def _text(value: str, limit: int, name: str, errors: dict[str, str]) -> str:
    cleaned = value.strip()
    if len(cleaned) > limit:
        errors[name] = f"longer than {limit} characters"
    return cleaned[:limit]


def _items(values: list[str], name: str, errors: dict[str, str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        cleaned = " ".join(value.split())
        if cleaned:
            seen.setdefault(cleaned[:MAX_ITEM], None)
    if len(seen) > MAX_LIST_ITEMS:
        errors[name] = f"more than {MAX_LIST_ITEMS} entries"
    return list(seen)[:MAX_LIST_ITEMS]


def clean_facts(facts: LeadFacts, *, max_text_length: int) -> LeadFacts:
    """Return trimmed facts; raise ``ValidationFailed`` naming each invalid field."""
    errors: dict[str, str] = {}
    body = _text(facts.body, max_text_length, "body", errors)
    title = _text(facts.title, MAX_TITLE, "title", errors)
    if not title and body:
        # A tip needs no title, so the start of its text becomes the title.
        title = " ".join(body.split())[:80]
    if not title:
        errors["body"] = "missing: describe what you saw or know"
    cleaned = LeadFacts(
        title=title,
        body=body,
        location=_text(facts.location, MAX_LOCATION, "location", errors),
        occurred_at=facts.occurred_at,
        subject_names=_items(facts.subject_names, "subject_names", errors),
        vehicle_plates=[plate.upper() for plate in _items(facts.vehicle_plates, "vehicle_plates", errors)],
    )
    if errors:
        raise ValidationFailed("the lead has invalid fields", errors)
    return cleaned


def clean_contact(contact: LeadContact) -> LeadContact:
    errors: dict[str, str] = {}
    email = _text(contact.email, 320, "contact_email", errors)
    if email and email_key(email) is None:
        errors["contact_email"] = f"invalid e-mail address {email[:80]!r}: use the form name@example.org"
    cleaned = LeadContact(
        name=_text(contact.name, 200, "contact_name", errors),
        phone=_text(contact.phone, 64, "contact_phone", errors),
        email=email,
        address=_text(contact.address, 500, "contact_address", errors),
    )
    if errors:
        raise ValidationFailed("the contact details are invalid", errors)
    return cleaned


def clean_grading(grading: Grading) -> Grading:
    """Check the grades against their scale; no scale means no grades."""
    if grading.scale is None or grading.scale == "":
        if grading.source or grading.information or grading.handling:
            raise ValidationFailed(
                "grades need a grading scale", {"grading_scale": f"choose one of {', '.join(GRADING_SCALES)}"}
            )
        return Grading()
    if grading.scale not in GRADING_SCALES:
        raise ValidationFailed(
            f"unknown grading scale {grading.scale!r}",
            {"grading_scale": f"choose one of {', '.join(GRADING_SCALES)}"},
        )
    sources, information, handling = GRADING_SCALES[grading.scale]
    errors: dict[str, str] = {}
    source = (grading.source or "").strip().upper() or None
    info = (grading.information or "").strip() or None
    code = (grading.handling or "").strip() or None
    if source is not None and (len(source) != 1 or source not in sources):
        errors["source_grade"] = (
            f"invalid grade {source!r} on the {grading.scale} scale: one of {', '.join(sources)}"
        )
    if info is not None and (len(info) != 1 or info not in information):
        errors["information_grade"] = (
            f"invalid grade {info!r} on the {grading.scale} scale: one of {', '.join(information)}"
        )
    if code is not None and (len(code) != 1 or code not in handling):
        allowed = ", ".join(handling) if handling else "none (the scale has no handling code)"
        errors["handling_code"] = f"invalid handling code {code!r}: {allowed}"
    if errors:
        raise ValidationFailed("invalid grading", errors)
    return Grading(scale=grading.scale, source=source, information=info, handling=code)


def check_choice(value: str, choices: tuple[str, ...], name: str) -> str:
    if value not in choices:
        raise ValidationFailed(f"invalid {name} {value!r}", {name: f"choose one of {', '.join(choices)}"})
    return value


def check_priority(value: str) -> str:
    return check_choice(value, PRIORITIES, "priority")


def check_channel(value: str) -> str:
    return check_choice(value, LEAD_CHANNELS, "channel")


def check_sensitivity(value: str) -> str:
    return check_choice(value, tuple(Sensitivity), "sensitivity")


def short_label(value: str, name: str) -> str:
    """Clean a category or jurisdiction: trimmed, lower case, at most 100 characters."""
    cleaned = " ".join(value.split()).lower()
    if len(cleaned) > MAX_SHORT:
        raise ValidationFailed(f"{name} is longer than {MAX_SHORT} characters", {name: "too long"})
    return cleaned


def parse_local_time(value: str, timezone: str, name: str = "occurred_at") -> datetime | None:
    """Read an ``<input type=datetime-local>`` value (``2026-03-01T22:15``) in ``timezone``, as UTC.

    An empty value means no time. A value that carries its own offset keeps it.
    """
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            f"invalid time {value[:40]!r}: use the form YYYY-MM-DD HH:MM", {name: "not a date and time"}
        ) from None
    if parsed.tzinfo is None:
        try:
            parsed = parsed.replace(tzinfo=ZoneInfo(timezone))
        except ZoneInfoNotFoundError:
            raise ValidationFailed(
                f"unknown time zone {timezone!r}: set CASETRAIL_LEADS__FORM_TIMEZONE to an IANA name",
                {name: "server time zone misconfigured"},
            ) from None
    return parsed.astimezone(UTC)

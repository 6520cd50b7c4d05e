"""Vocabularies of the evidence register and the item status workflow.

Status transitions (every one records who and why as a ``status_change`` custody event)::

    in_custody  -> checked_out, in_lab, in_court, released, returned, destroyed
    checked_out -> in_custody, in_lab, in_court
    in_lab      -> in_custody, checked_out, in_court
    in_court    -> in_custody, checked_out, in_lab, released, returned, destroyed
    released    -> in_custody
    returned, destroyed: final

``released`` means handed out of the agency's custody for a while, to another agency or to a
party under a court order. The item can come back. ``returned`` (to its owner) and
``destroyed`` end custody: after them only corrections of earlier events are recorded. An
item in transit (released to a person who has not yet accepted it) changes status only after
the receiver accepts or the releaser cancels.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    DOCUMENT = "document"
    DEVICE = "device"
    MEDIA = "media"
    DRUGS = "drugs"
    CURRENCY = "currency"
    WEAPON = "weapon"
    BIOLOGICAL = "biological"
    BIOMETRIC = "biometric"
    OTHER = "other"


class ItemStatus(StrEnum):
    IN_CUSTODY = "in_custody"
    CHECKED_OUT = "checked_out"
    IN_LAB = "in_lab"
    IN_COURT = "in_court"
    RELEASED = "released"
    RETURNED = "returned"
    DESTROYED = "destroyed"


TRANSITIONS: dict[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.IN_CUSTODY: frozenset(
        {
            ItemStatus.CHECKED_OUT,
            ItemStatus.IN_LAB,
            ItemStatus.IN_COURT,
            ItemStatus.RELEASED,
            ItemStatus.RETURNED,
            ItemStatus.DESTROYED,
        }
    ),
    ItemStatus.CHECKED_OUT: frozenset({ItemStatus.IN_CUSTODY, ItemStatus.IN_LAB, ItemStatus.IN_COURT}),
    ItemStatus.IN_LAB: frozenset({ItemStatus.IN_CUSTODY, ItemStatus.CHECKED_OUT, ItemStatus.IN_COURT}),
    ItemStatus.IN_COURT: frozenset(
        {
            ItemStatus.IN_CUSTODY,
            ItemStatus.CHECKED_OUT,
            ItemStatus.IN_LAB,
            ItemStatus.RELEASED,
            ItemStatus.RETURNED,
            ItemStatus.DESTROYED,
        }
    ),
    ItemStatus.RELEASED: frozenset({ItemStatus.IN_CUSTODY}),
    ItemStatus.RETURNED: frozenset(),
    ItemStatus.DESTROYED: frozenset(),
}

FINAL: frozenset[ItemStatus] = frozenset({ItemStatus.RETURNED, ItemStatus.DESTROYED})


class EventType(StrEnum):
    INTAKE = "intake"
    RELEASE = "release"
    ACCEPT = "accept"
    CANCEL_RELEASE = "cancel_release"
    TRANSFER_TO_LOCATION = "transfer_to_location"
    STATUS_CHANGE = "status_change"
    SEAL_CHANGE = "seal_change"
    FILE_ADDED = "file_added"
    CORRECTION = "correction"


class Purpose(StrEnum):
    STORAGE = "storage"
    LAB_ANALYSIS = "lab_analysis"
    COURT = "court"
    RELEASE = "release"
    OTHER = "other"


class FileKind(StrEnum):
    ORIGINAL = "original"
    THUMBNAIL = "thumbnail"
    EXTRACTED_TEXT = "extracted_text"
    REDACTED = "redacted"


# Fields of a custody event that a correction may restate.
CORRECTABLE_FIELDS = ("occurred_at", "location", "seal_number", "condition", "notes", "purpose")


def allowed_next(status: str) -> list[str]:
    return sorted(TRANSITIONS[ItemStatus(status)])

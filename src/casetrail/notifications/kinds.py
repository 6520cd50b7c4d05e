"""The kinds of notification, their labels and default delivery choices."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NotificationKind(StrEnum):
    TASK_ASSIGNED = "task_assigned"
    TASK_DUE = "task_due"
    CASE_FACT = "case_fact"
    DECONFLICTION = "deconfliction"
    EVIDENCE_AWAITING = "evidence_awaiting"
    LEAD_ASSIGNED = "lead_assigned"


@dataclass(frozen=True)
class KindInfo:
    """Label of a kind on the settings page, and its channels before a user chooses."""

    label: str
    in_app: bool
    email: bool


KINDS: dict[NotificationKind, KindInfo] = {
    NotificationKind.TASK_ASSIGNED: KindInfo("A task is assigned to me", in_app=True, email=True),
    NotificationKind.TASK_DUE: KindInfo("A task assigned to me is due", in_app=True, email=True),
    # New facts come in bursts (an import adds thousands), so e-mail is off until chosen.
    NotificationKind.CASE_FACT: KindInfo("New facts in a case I follow", in_app=True, email=False),
    NotificationKind.DECONFLICTION: KindInfo("A deconfliction notice for my case", in_app=True, email=True),
    NotificationKind.EVIDENCE_AWAITING: KindInfo(
        "Evidence released to me awaits my acceptance", in_app=True, email=True
    ),
    NotificationKind.LEAD_ASSIGNED: KindInfo("A lead is assigned to me", in_app=True, email=True),
}


def title_for(kind: NotificationKind, reference: str | None) -> str:
    """Return the short title of a notification: the kind and a case number or lead reference.

    Titles also go into e-mail subjects, which are less protected than the application, so
    they never contain case content such as a task title, a name or a value.
    """
    place = f" in {reference}" if reference else ""
    return {
        NotificationKind.TASK_ASSIGNED: f"Task assigned{place}",
        NotificationKind.TASK_DUE: f"Task due{place}",
        NotificationKind.CASE_FACT: f"New facts{place}",
        NotificationKind.DECONFLICTION: f"Deconfliction notice{place}",
        NotificationKind.EVIDENCE_AWAITING: f"Evidence awaiting your acceptance{place}",
        NotificationKind.LEAD_ASSIGNED: f"Lead {reference} assigned to you"
        if reference
        else "Lead assigned to you",
    }[kind]

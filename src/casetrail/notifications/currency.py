"""Whether a notification may still be shown or mailed to its recipient, asked again at read time.

A notification is checked against the policy when it is created, but access changes later: a
lead is reassigned, a user leaves a unit, a case is restricted. Lists, counts and the live
stream filter with ``current_condition`` in SQL, and the e-mail sender calls ``is_current`` for
each claimed delivery. The rule per kind:

- a notification about a case needs read access to that case now (``visible_case_condition``);
- a notification about a lead needs read access to that lead now (``visible_lead_condition``);
- ``lead_assigned`` also needs the reader to be the lead's assignee still, because its title
  ("Lead L-2026-0042 assigned to you") is false once the lead went to someone else.

The leads package sits beside this one in the layers, so the lead row is read through a plain
table clause.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, column, not_, or_, select, table
from sqlalchemy.orm import Session

from casetrail.auth import policy
from casetrail.auth.context import Actor, RequestContext
from casetrail.auth.models import User
from casetrail.auth.service import actor_for
from casetrail.cases.access import guard_for, visible_cases
from casetrail.cases.models import Case
from casetrail.notifications.kinds import NotificationKind
from casetrail.notifications.models import Notification
from casetrail.notifications.sources import lead_guard

_LEAD = table(
    "lead",
    column("id"),
    column("unit_id"),
    column("sensitivity"),
    column("assignee_id"),
    column("recorded_by_id"),
)


def current_condition(session: Session, actor: Actor, user_id: str) -> ColumnElement[bool]:
    """Build the SQL condition that keeps the notifications ``actor`` (user ``user_id``) may see now."""
    visible_case_ids = select(Case.id).where(visible_cases(session, actor))
    visible_leads = policy.visible_lead_condition(
        session,
        actor,
        unit_column=_LEAD.c.unit_id,
        sensitivity_column=_LEAD.c.sensitivity,
        assignee_column=_LEAD.c.assignee_id,
        recorded_by_column=_LEAD.c.recorded_by_id,
    )
    readable_lead_ids = select(_LEAD.c.id).where(visible_leads)
    assigned_lead_ids = select(_LEAD.c.id).where(visible_leads, _LEAD.c.assignee_id == user_id)
    is_lead = Notification.object_type == "lead"
    is_assignment = Notification.kind == NotificationKind.LEAD_ASSIGNED.value
    lead_current = or_(
        and_(is_assignment, Notification.object_id.in_(assigned_lead_ids)),
        and_(not_(is_assignment), Notification.object_id.in_(readable_lead_ids)),
    )
    case_current = or_(Notification.case_id.is_(None), Notification.case_id.in_(visible_case_ids))
    return case_current & or_(not_(is_lead), lead_current)


def is_current(session: Session, notification: Notification) -> bool:
    """Return True when the notification may still be shown or mailed to its recipient."""
    user = session.get(User, notification.user_id)
    if user is None or not user.active:
        return False
    recipient = actor_for(user)
    if notification.case_id is not None and not _may_see_case(session, recipient, notification.case_id):
        return False
    if notification.object_type == "lead":
        return _may_see_lead(session, recipient, notification)
    return True


def _may_see_case(session: Session, recipient: Actor, case_id: str) -> bool:
    case = session.get(Case, case_id)
    if case is None:
        return False
    guard = guard_for(session, RequestContext(actor=recipient), case)
    return policy.can_notify_about_case(recipient, guard, policy.supervised_unit_ids(session, recipient))


def _may_see_lead(session: Session, recipient: Actor, notification: Notification) -> bool:
    guard = lead_guard(session, notification.object_id)
    if guard is None:
        return False
    triage_units = policy.triage_unit_ids(session, recipient)
    if not policy.can_notify_about_lead(recipient, guard, triage_units):
        return False
    if notification.kind == NotificationKind.LEAD_ASSIGNED.value:
        return guard.assignee_id == recipient.user_id
    return True

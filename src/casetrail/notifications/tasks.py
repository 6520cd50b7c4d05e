"""Background work of notifications, run on every poll of the job worker.

The follower turns new outbox events into notifications, the due check adds "task due"
notifications at most once a minute, and the sender delivers pending e-mail. Each returns how
much it did, so the worker polls again at once while there is work.
"""

from __future__ import annotations

from casetrail.jobs.types import JobContext, JobHandler, PeriodicTask
from casetrail.notifications.follower import check_due_tasks, run_notifications
from casetrail.notifications.mail import send_pending


def follow_outbox(context: JobContext) -> int:
    return run_notifications(context.sessions, context.settings).events


def notify_due_tasks(context: JobContext) -> int:
    return check_due_tasks(context.sessions, context.settings)


def send_email(context: JobContext) -> int:
    return send_pending(context.sessions, context.settings).claimed


HANDLERS: dict[str, JobHandler] = {}
PERIODIC: list[PeriodicTask] = [follow_outbox, notify_due_tasks, send_email]

"""`casetrail notifications`: run the notification follower and the e-mail sender by hand.

`casetrail worker` runs both on every poll; these commands are for a server without a worker,
for cron, and for checking the mail settings.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from casetrail.cli.output import hint
from casetrail.cli.runtime import current_runtime
from casetrail.core.logging import get_logger

log = get_logger(__name__)

notifications_app = typer.Typer(help="Derive notifications from the outbox and send pending e-mail.")


@notifications_app.command("sync")
def sync(
    *,
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep polling for new events until stopped with Ctrl-C.")
    ] = False,
    interval: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait between polls when nothing is pending.")
    ] = 2.0,
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="Outbox events applied per transaction.")
    ] = 500,
) -> None:
    """Create the notifications of new outbox events (cursor `notifications`) and of due tasks."""
    from casetrail.notifications.follower import check_due_tasks, follow_until_caught_up  # noqa: PLC0415

    runtime = current_runtime()
    while True:
        try:
            run = follow_until_caught_up(runtime.factory, runtime.settings, limit)
            due = check_due_tasks(runtime.factory, runtime.settings)
        except SQLAlchemyError as error:
            if not follow:
                raise
            # The failed batch rolled back with the cursor, so the next poll repeats it.
            log.error("notification_sync_failed", error_type=type(error).__name__)
            time.sleep(interval)
            continue
        if run.events or due or not follow:
            hint(f"applied {run.events} events: {run.notifications + due} notifications created")
        if not follow:
            return
        time.sleep(interval)


@notifications_app.command("send")
def send() -> None:
    """Send the e-mail that is due now, once; failed sends wait and are retried on a later run."""
    from casetrail.notifications.mail import send_pending  # noqa: PLC0415

    runtime = current_runtime()
    if not runtime.settings.mail.host:
        hint("no SMTP server configured: set CASETRAIL_MAIL__HOST to send notification e-mail")
        return
    run = send_pending(runtime.factory, runtime.settings)
    hint(f"{run.sent} sent, {run.retried} to retry later, {run.failed} failed")
    if run.retried or run.failed:
        raise typer.Exit(code=1)

"""Background work of the search package, run by `casetrail worker`."""

from __future__ import annotations

from casetrail.jobs.types import JobContext, JobHandler, PeriodicTask
from casetrail.search.follower import sync_batch

HANDLERS: dict[str, JobHandler] = {}


def follow_outbox(context: JobContext) -> int:
    """Apply one batch of outbox events to the index; return how many events it read."""
    return sync_batch(context.sessions).events


PERIODIC: list[PeriodicTask] = [follow_outbox]

"""Background work of the cross-referencing package, run by `casetrail worker` and `casetrail serve`."""

from __future__ import annotations

from casetrail.jobs.types import JobContext, JobHandler, PeriodicTask

HANDLERS: dict[str, JobHandler] = {}


def follow_outbox(context: JobContext) -> int:
    """Match the entities of one batch of outbox events; return how many events it read."""
    # The follower loads nomenklatura and its name tables, so only a worker that runs it pays.
    from casetrail.xref.follower import run_xref  # noqa: PLC0415

    return run_xref(context.sessions).events


PERIODIC: list[PeriodicTask] = [follow_outbox]

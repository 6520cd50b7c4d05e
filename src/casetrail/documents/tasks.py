"""Background work of the documents package, assembled by ``casetrail worker``."""

from __future__ import annotations

from casetrail.documents.ingest_state import fail_abandoned
from casetrail.documents.pipeline import ingest_document
from casetrail.documents.service import INGEST_JOB
from casetrail.jobs.types import JobHandler, PeriodicTask

HANDLERS: dict[str, JobHandler] = {INGEST_JOB: ingest_document}

PERIODIC: list[PeriodicTask] = [fail_abandoned]

"""Import every context's models so that ``Base.metadata`` describes the whole schema."""

from __future__ import annotations

from sqlalchemy import MetaData

import casetrail.audit.models
import casetrail.auth.models
import casetrail.cases.models
import casetrail.db.ledger
import casetrail.db.outbox
import casetrail.documents.models
import casetrail.entities.models
import casetrail.evidence.models
import casetrail.graph.models
import casetrail.jobs.models
import casetrail.leads.models
import casetrail.legal.models
import casetrail.notifications.models
import casetrail.xref.models  # noqa: F401
from casetrail.db.base import Base


def metadata() -> MetaData:
    return Base.metadata

"""Import every context's models so that ``Base.metadata`` describes the whole schema."""

from __future__ import annotations

from alembic.runtime.environment import NameFilterParentNames, NameFilterType
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
import casetrail.search.models
import casetrail.xref.models  # noqa: F401
from casetrail.db.base import Base
from casetrail.search.models import NATIVE_INDEX_PREFIX


def metadata() -> MetaData:
    return Base.metadata


def include_name(name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames) -> bool:
    """Leave the search index's engine-specific objects out of model comparisons.

    Migration 0006 creates them beside the ``search_entry`` table, and no model describes them.
    """
    return not (name or "").startswith(NATIVE_INDEX_PREFIX)

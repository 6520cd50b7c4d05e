"""The follower as a periodic task of `casetrail worker`: one batch per poll, then caught up."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.cli.worker import TASK_MODULES, load_tasks
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.jobs.types import JobContext
from casetrail.xref import tasks
from casetrail.xref.models import Notice
from tests.xref.scenario import build_scenario


def test_worker_loads_xref_follower() -> None:
    _, periodic = load_tasks()
    assert "casetrail.xref.tasks" in TASK_MODULES
    assert tasks.follow_outbox in periodic


def test_follow_outbox_creates_notices(factory: sessionmaker[Session], settings: Settings) -> None:
    build_scenario(factory, follow=False)
    ensure_master_key(settings)
    context = JobContext(settings=settings, sessions=factory, blobs=blob_store(settings), worker_id="test")
    first = tasks.follow_outbox(context)
    # The second poll reads the events of the notices the first one created.
    tasks.follow_outbox(context)
    third = tasks.follow_outbox(context)
    with transaction(factory) as session:
        notices = session.execute(select(func.count()).select_from(Notice)).scalar_one()
    assert first > 0
    assert third == 0
    assert notices == 6

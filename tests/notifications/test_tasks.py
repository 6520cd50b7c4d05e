"""The periodic tasks the job worker runs: follow the outbox, check due tasks, send e-mail."""

from __future__ import annotations

from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.cases import tasks as task_service
from casetrail.db.engine import transaction
from casetrail.jobs.types import JobContext
from casetrail.notifications import tasks
from tests.notifications.conftest import World
from tests.support.smtp import SmtpServer


def _context(world: World) -> JobContext:
    ensure_master_key(world.settings)
    return JobContext(
        settings=world.settings,
        sessions=world.factory,
        blobs=blob_store(world.settings),
        worker_id="test-worker",
    )


def test_periodic_tasks_deliver_mail(world: World, smtp: SmtpServer) -> None:
    with transaction(world.factory) as session:
        task_service.add_task(
            session, world.ctx(world.alice), world.number, title="Call back", assignee="carol"
        )
    context = _context(world)
    counts = [task(context) for task in tasks.PERIODIC]
    idle = [task(context) for task in tasks.PERIODIC]
    assert counts[0] > 0
    assert counts[2] == 1
    assert idle == [0, 0, 0]
    assert len(smtp.mailbox.messages) == 1
    assert world.kinds(world.carol) == ["task_assigned"]

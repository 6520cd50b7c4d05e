"""`casetrail notifications sync` and `send` against the test database and a real SMTP server."""

from __future__ import annotations

from casetrail.cases import tasks as task_service
from casetrail.db.engine import transaction
from tests.cli.runner import Cli, cli
from tests.notifications.conftest import World
from tests.support.smtp import SmtpServer

__all__ = ["cli"]


def _assign(world: World) -> None:
    with transaction(world.factory) as session:
        task_service.add_task(
            session, world.ctx(world.alice), world.number, title="Call back", assignee="carol"
        )


def test_sync_creates_notifications(world: World, cli: Cli) -> None:
    _assign(world)
    result = cli("notifications", "sync")
    assert result.exit_code == 0, result.stderr
    assert "1 notifications created" in result.stderr
    assert world.kinds(world.carol) == ["task_assigned"]


def test_send_delivers_mail(world: World, cli: Cli, smtp: SmtpServer) -> None:
    _assign(world)
    world.sync()
    mail = world.settings.mail
    cli.env.update(
        {
            "CASETRAIL_MAIL__HOST": mail.host,
            "CASETRAIL_MAIL__PORT": str(mail.port),
            "CASETRAIL_MAIL__SECURITY": "none",
            "CASETRAIL_MAIL__FROM_ADDRESS": mail.from_address,
        }
    )
    result = cli("notifications", "send")
    assert result.exit_code == 0, result.stderr
    assert "1 sent" in result.stderr
    assert len(smtp.mailbox.messages) == 1


def test_send_without_host_says_so(world: World, cli: Cli) -> None:
    result = cli("notifications", "send")
    assert result.exit_code == 0
    assert "CASETRAIL_MAIL__HOST" in result.stderr

"""E-mail reaches a real SMTP server (aiosmtpd on 127.0.0.1) once, also after it was down."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from casetrail.cases import tasks as task_service
from casetrail.core.clock import utcnow
from casetrail.core.settings import MailSettings
from casetrail.db.engine import transaction
from casetrail.notifications.kinds import NotificationKind
from casetrail.notifications.mail import send_pending, smtp_password
from casetrail.notifications.models import EmailDelivery
from casetrail.notifications.preferences import set_preferences
from casetrail.notifications.writer import Choice
from tests.notifications.conftest import World
from tests.support.smtp import Credentials, SmtpServer


def _assign_task(world: World) -> None:
    with transaction(world.factory) as session:
        task_service.add_task(
            session,
            world.ctx(world.alice),
            world.number,
            title="Trace the van registration",
            assignee="carol",
        )
    world.sync()


def _deliveries(world: World) -> list[EmailDelivery]:
    with transaction(world.factory) as session:
        return list(session.execute(select(EmailDelivery).order_by(EmailDelivery.created_at)).scalars())


def test_mail_arrives_once_with_headers(world: World, smtp: SmtpServer) -> None:
    _assign_task(world)
    run = send_pending(world.factory, world.settings)
    again = send_pending(world.factory, world.settings)
    assert run.sent == 1
    assert again.claimed == 0
    assert len(smtp.mailbox.messages) == 1
    message = smtp.mailbox.messages[0]
    delivery = _deliveries(world)[0]
    assert message["Subject"] == "Task assigned in 2026-0142"
    assert message["To"] == "carol@agency.example"
    assert message["From"] == "casetrail@agency.example"
    assert message["Message-ID"] == delivery.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    assert smtp.mailbox.recipients == [["carol@agency.example"]]
    assert delivery.status == "sent"


def test_mail_holds_link_not_content(world: World, smtp: SmtpServer) -> None:
    _assign_task(world)
    send_pending(world.factory, world.settings)
    body = smtp.mailbox.messages[0].get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "https://casetrail.agency.example/cases/2026-0142#task-" in text
    assert "van registration" not in text
    assert "Elm" not in text


def test_mail_waits_for_server_then_arrives_once(world: World, smtp_port: int) -> None:
    _assign_task(world)
    down = send_pending(world.factory, world.settings)
    pending = _deliveries(world)[0]
    assert down.retried == 1
    assert pending.status == "pending"
    assert pending.attempts == 1
    assert pending.last_error is not None
    assert "ConnectionRefusedError" in pending.last_error

    server = SmtpServer(smtp_port)
    server.start()
    try:
        too_early = send_pending(world.factory, world.settings)
        later = send_pending(world.factory, world.settings, now=utcnow() + timedelta(hours=2))
        after = send_pending(world.factory, world.settings, now=utcnow() + timedelta(hours=4))
    finally:
        server.stop()
    assert too_early.claimed == 0
    assert later.sent == 1
    assert after.claimed == 0
    assert len(server.mailbox.messages) == 1
    assert server.mailbox.messages[0]["Message-ID"] == pending.message_id
    assert _deliveries(world)[0].status == "sent"


def test_abandoned_claim_is_taken_over(world: World, smtp: SmtpServer) -> None:
    _assign_task(world)
    with transaction(world.factory) as session:
        delivery = session.execute(select(EmailDelivery)).scalar_one()
        delivery.status = "sending"
        delivery.claimed_by = "a-sender-that-died"
        delivery.lease_until = utcnow() - timedelta(seconds=1)
    run = send_pending(world.factory, world.settings)
    assert run.sent == 1
    assert len(smtp.mailbox.messages) == 1


def test_live_claim_is_left_alone(world: World, smtp: SmtpServer) -> None:
    _assign_task(world)
    with transaction(world.factory) as session:
        delivery = session.execute(select(EmailDelivery)).scalar_one()
        delivery.status = "sending"
        delivery.claimed_by = "another-sender"
        delivery.lease_until = utcnow() + timedelta(minutes=5)
    run = send_pending(world.factory, world.settings)
    assert run.claimed == 0
    assert smtp.mailbox.messages == []


def test_email_preference_off_sends_nothing(world: World, smtp: SmtpServer) -> None:
    with transaction(world.factory) as session:
        set_preferences(
            session,
            world.ctx(world.carol),
            world.settings,
            {NotificationKind.TASK_ASSIGNED: Choice(in_app=True, email=False)},
        )
    _assign_task(world)
    run = send_pending(world.factory, world.settings)
    assert run.claimed == 0
    assert world.kinds(world.carol) == ["task_assigned"]


def test_no_host_means_no_mail(world: World) -> None:
    settings = world.settings.model_copy(update={"mail": MailSettings()})
    world.settings = settings
    _assign_task(world)
    assert _deliveries(world) == []
    assert send_pending(world.factory, settings).claimed == 0


@pytest.mark.parametrize(("content", "expected"), [("s3cret\n", "s3cret"), ("", "")])
def test_password_file_first_line(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "smtp-password"
    path.write_text(content)
    mail = MailSettings(password_file=path)
    assert smtp_password(mail) == expected


def test_login_works_and_password_is_not_logged(
    world: World, smtp_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "correct-horse-smtp-secret"
    server = SmtpServer(smtp_port, Credentials("casetrail", secret))
    mail = world.settings.mail.model_copy(update={"username": "casetrail", "password": SecretStr(secret)})
    world.settings = world.settings.model_copy(update={"mail": mail})
    _assign_task(world)
    server.start()
    try:
        with caplog.at_level(logging.DEBUG):
            run = send_pending(world.factory, world.settings)
    finally:
        server.stop()
    assert run.sent == 1
    assert len(server.mailbox.messages) == 1
    assert secret not in caplog.text


def test_wrong_password_waits_for_retry(world: World, smtp_port: int) -> None:
    server = SmtpServer(smtp_port, Credentials("casetrail", "the-right-one"))
    mail = world.settings.mail.model_copy(
        update={"username": "casetrail", "password": SecretStr("a-wrong-one")}
    )
    world.settings = world.settings.model_copy(update={"mail": mail})
    _assign_task(world)
    server.start()
    try:
        run = send_pending(world.factory, world.settings)
    finally:
        server.stop()
    delivery = _deliveries(world)[0]
    assert run.retried == 1
    assert delivery.status == "pending"
    # Against aiosmtpd 1.4.6 the rejected login ends in a read timeout rather than a 535 reply
    # reaching smtplib, so only the presence of an error is checked.
    assert delivery.last_error
    assert server.mailbox.messages == []


def test_server_restart_delivers_exactly_once(world: World, smtp_port: int) -> None:
    server = SmtpServer(smtp_port)
    server.start()
    try:
        _assign_task(world)
        first = send_pending(world.factory, world.settings)
        server.stop()

        _assign_task(world)
        down = send_pending(world.factory, world.settings)
        waiting = [row for row in _deliveries(world) if row.status == "pending"]

        server.start()
        back = send_pending(world.factory, world.settings, now=utcnow() + timedelta(hours=1))
        idle = send_pending(world.factory, world.settings, now=utcnow() + timedelta(hours=2))
    finally:
        server.stop()
    assert first.sent == 1
    assert down.retried == 1
    assert len(waiting) == 1
    assert waiting[0].last_error
    assert back.sent == 1
    assert idle.claimed == 0
    message_ids = [message["Message-ID"] for message in server.mailbox.messages]
    assert len(message_ids) == 2
    assert message_ids.count(waiting[0].message_id) == 1
    assert all(row.status == "sent" for row in _deliveries(world))

"""Sending notification e-mail over SMTP, each message once.

A run claims due deliveries in a transaction of its own: status ``sending``, a lease and a
claim token. PostgreSQL claims with ``FOR UPDATE SKIP LOCKED`` and SQLite has one writer at a
time, so two senders never claim the same row. It then sends each message and marks it ``sent`` in its own
commit right after the SMTP server accepted it. A connection failure or a temporary refusal
(4xx) puts the row back to ``pending`` with a doubling delay; a permanent refusal (5xx), or
running out of attempts, marks it ``failed``.

The one duplicate left possible: a sender that dies after the server accepted a message and
before the ``sent`` commit leaves the row ``sending``; when the lease runs out another sender
sends it again. Both copies carry the same Message-ID, which lets a receiver drop the second.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from casetrail.core.clock import utcnow
from casetrail.core.errors import ValidationFailed
from casetrail.core.ids import new_id
from casetrail.core.logging import get_logger
from casetrail.core.settings import MailSettings, Settings
from casetrail.db.engine import transaction
from casetrail.notifications import currency
from casetrail.notifications.models import EmailDelivery, Notification

log = get_logger(__name__)

MAX_ERROR_LENGTH = 1000
WITHDRAWN = "withdrawn: the recipient may no longer see what the notification names"


@dataclass(frozen=True)
class Outgoing:
    """A claimed delivery with what its message needs."""

    delivery_id: str
    notification_id: str
    address: str
    message_id: str
    attempts: int
    title: str
    link: str
    created_at: datetime


@dataclass
class SendRun:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    withdrawn: int = 0


def send_pending(
    factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> SendRun:
    """Send the deliveries due at ``now`` (default: the current time); return the counts."""
    if not settings.mail.host:
        return SendRun()
    sender = _Sender(factory, settings.mail, token=new_id(), moment=now or utcnow())
    batch, sender.run.withdrawn = _claim(factory, settings.mail, sender.moment, sender.token)
    sender.run.claimed = len(batch)
    if not batch:
        return sender.run
    try:
        with _connect(settings.mail) as smtp:
            for outgoing in batch:
                sender.send(smtp, outgoing)
    except (OSError, smtplib.SMTPException, ValidationFailed) as error:
        # The connection failed or dropped, or the password file is unreadable: every claimed
        # row not yet settled goes back. Rows already settled no longer match the claim.
        for outgoing in batch:
            sender.retry(outgoing, error)
    return sender.run


def _claim(
    factory: sessionmaker[Session], mail: MailSettings, moment: datetime, token: str
) -> tuple[list[Outgoing], int]:
    """Claim the due deliveries; return them and how many were withdrawn instead of claimed."""
    with transaction(factory) as session:
        due = or_(
            and_(EmailDelivery.status == "pending", EmailDelivery.next_attempt_at <= moment),
            and_(EmailDelivery.status == "sending", EmailDelivery.lease_until <= moment),
        )
        query = (
            select(EmailDelivery, Notification)
            .join(Notification, Notification.id == EmailDelivery.notification_id)
            .where(due)
            .order_by(EmailDelivery.next_attempt_at, EmailDelivery.id)
            .limit(mail.batch_size)
            .with_for_update(skip_locked=True, of=EmailDelivery)
        )
        claimed = []
        withdrawn = 0
        for delivery, notification in session.execute(query).all():
            if not currency.is_current(session, notification):
                _withdraw(delivery)
                withdrawn += 1
                continue
            delivery.status = "sending"
            delivery.attempts += 1
            delivery.claimed_by = token
            delivery.lease_until = moment + timedelta(seconds=mail.lease_seconds)
            claimed.append(
                Outgoing(
                    delivery_id=delivery.id,
                    notification_id=notification.id,
                    address=delivery.address,
                    message_id=delivery.message_id,
                    attempts=delivery.attempts,
                    title=notification.title,
                    link=notification.link,
                    created_at=notification.created_at,
                )
            )
    return claimed, withdrawn


def _withdraw(delivery: EmailDelivery) -> None:
    # The recipient may no longer see what the notification names (a lead went to someone
    # else, or access was lost), so the e-mail is never sent. The row ends failed, so that
    # no sender claims it again.
    delivery.status = "failed"
    delivery.lease_until = None
    delivery.last_error = WITHDRAWN
    log.info("email_withdrawn", delivery_id=delivery.id, notification_id=delivery.notification_id)


def smtp_password(mail: MailSettings) -> str | None:
    """Return the password from the settings or the first line of ``password_file``."""
    if mail.password is not None:
        return mail.password.get_secret_value()
    if mail.password_file is None:
        return None
    try:
        lines = mail.password_file.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ValidationFailed(
            f"cannot read the SMTP password file {mail.password_file}: {error.strerror}; "
            "check CASETRAIL_MAIL__PASSWORD_FILE and the file's permissions",
            {"mail.password_file": "unreadable"},
        ) from error
    return lines[0] if lines else ""


def _connect(mail: MailSettings) -> smtplib.SMTP:
    assert mail.host is not None
    smtp: smtplib.SMTP
    if mail.security == "ssl":
        smtp = smtplib.SMTP_SSL(
            mail.host, mail.port, timeout=mail.timeout_seconds, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout_seconds)
    try:
        if mail.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if mail.username:
            smtp.login(mail.username, smtp_password(mail) or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def build_message(mail: MailSettings, outgoing: Outgoing) -> EmailMessage:
    """Build the e-mail: the short title as subject and a link, never case content."""
    base = mail.base_url.rstrip("/")
    message = EmailMessage()
    message["From"] = mail.from_address
    message["To"] = outgoing.address
    message["Subject"] = outgoing.title
    message["Date"] = format_datetime(outgoing.created_at)
    message["Message-ID"] = outgoing.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        f"{outgoing.title}.\n\n"
        f"Open it in Casetrail: {base}{outgoing.link}\n\n"
        "The details are in Casetrail, where your access is checked; this e-mail carries only "
        "the case number.\n"
        f"Choose which notifications you receive: {base}/settings/notifications\n"
    )
    return message


def _settle(factory: sessionmaker[Session], outgoing: Outgoing, token: str, **values: object) -> bool:
    """Update a claimed row if this run's claim is still on it; return False when the claim was lost."""
    with transaction(factory) as session:
        result = session.execute(
            update(EmailDelivery)
            .where(
                EmailDelivery.id == outgoing.delivery_id,
                EmailDelivery.claimed_by == token,
                EmailDelivery.status == "sending",
            )
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))


@dataclass
class _Sender:
    """One run of the sender: its claim token, its clock and its counts."""

    factory: sessionmaker[Session]
    mail: MailSettings
    token: str
    moment: datetime
    run: SendRun = field(default_factory=SendRun)

    def send(self, smtp: smtplib.SMTP, outgoing: Outgoing) -> None:
        try:
            refused = smtp.send_message(build_message(self.mail, outgoing))
            if refused:
                code, reply = next(iter(refused.values()))
                raise smtplib.SMTPResponseException(code, reply)
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:
                self.fail(outgoing, error)
            else:
                self.retry(outgoing, error)
            return
        except smtplib.SMTPRecipientsRefused as error:
            if all(500 <= code < 600 for code, _reply in error.recipients.values()):
                self.fail(outgoing, error)
            else:
                self.retry(outgoing, error)
            return
        self.mark_sent(outgoing)

    def mark_sent(self, outgoing: Outgoing) -> None:
        """Commit ``sent`` at once: the server has the message, so this row must never go out again."""
        settled = _settle(
            self.factory,
            outgoing,
            self.token,
            status="sent",
            sent_at=utcnow(),
            lease_until=None,
            last_error=None,
        )
        self.run.sent += 1
        if not settled:
            log.warning(
                "email_claim_lost", delivery_id=outgoing.delivery_id, notification_id=outgoing.notification_id
            )
            return
        log.info(
            "email_sent",
            delivery_id=outgoing.delivery_id,
            notification_id=outgoing.notification_id,
            attempts=outgoing.attempts,
        )

    def retry(self, outgoing: Outgoing, error: BaseException) -> None:
        if outgoing.attempts >= self.mail.max_attempts:
            self.fail(outgoing, error)
            return
        delay = min(self.mail.retry_base_seconds * 2 ** (outgoing.attempts - 1), self.mail.retry_max_seconds)
        next_attempt = self.moment + timedelta(seconds=delay)
        settled = _settle(
            self.factory,
            outgoing,
            self.token,
            status="pending",
            lease_until=None,
            next_attempt_at=next_attempt,
            last_error=_describe(error),
        )
        if not settled:
            return
        self.run.retried += 1
        log.warning(
            "email_send_retry",
            delivery_id=outgoing.delivery_id,
            notification_id=outgoing.notification_id,
            attempts=outgoing.attempts,
            next_attempt_at=next_attempt.isoformat(),
            error_type=type(error).__name__,
        )

    def fail(self, outgoing: Outgoing, error: BaseException) -> None:
        settled = _settle(
            self.factory, outgoing, self.token, status="failed", lease_until=None, last_error=_describe(error)
        )
        if not settled:
            return
        self.run.failed += 1
        log.error(
            "email_send_failed",
            delivery_id=outgoing.delivery_id,
            notification_id=outgoing.notification_id,
            attempts=outgoing.attempts,
            error_type=type(error).__name__,
        )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]

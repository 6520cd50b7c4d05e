"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, keeping every message it accepts."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """The messages the server accepted, parsed, with the envelope recipients of each."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class Credentials:
    """The one login the server accepts; AUTH is offered without TLS, which suits 127.0.0.1 only."""

    username: str
    password: str

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        accepted = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.username
            and auth_data.password.decode() == self.password
        )
        return AuthResult(success=accepted)


class SmtpServer:
    """Start and stop an SMTP server on one fixed port of 127.0.0.1, keeping one mailbox."""

    def __init__(self, port: int, credentials: Credentials | None = None) -> None:
        self.port = port
        self.credentials = credentials
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        options: dict[str, Any] = {}
        if self.credentials is not None:
            options = {"authenticator": self.credentials, "auth_require_tls": False}
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

"""E-mail over SMTP (stdlib ``smtplib``), one connection kept open between messages.

``PM_SMTP_URL``: ``smtp://user:password@host:587?starttls=1`` (STARTTLS), ``smtps://user:password@host:465``
(TLS from the start) or ``smtp://host:25`` (a relay on the local network, no login). ``PM_SMTP_FROM`` is the
sender. The Message-ID is derived from the outbox key, so a message sent twice (the one in flight when a
dispatcher was killed) carries the same Message-ID both times and mail systems that de-duplicate by it show it
once.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from pm_admin.core.clock import utcnow
from pm_admin.notify.channels.base import Outcome, Outgoing, key_digest

# A connection idle longer than this may have been dropped by the server: open a new one instead of finding out
# halfway through a message.
IDLE_REUSE_SECONDS = 20.0
TRUE = ("1", "true", "yes", "on")


def message_id(key: str, sender: str) -> str:
    """``<outbox.<sha256 of the key>@<sender's domain>>``: the same key, the same Message-ID."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "pm-admin.invalid"
    return f"<outbox.{key_digest(key, 40)}@{domain}>"


class SmtpSender:
    def __init__(self, url: str | None, sender: str, timeout: float) -> None:
        self.configured = bool(url)
        self.missing = "" if url else "email: PM_SMTP_URL is not set"
        self.sender = sender
        self.timeout = timeout
        self._connection: smtplib.SMTP | None = None
        self._last_used = 0.0
        if url:
            parts = urlsplit(url)
            query = parse_qs(parts.query)
            self.implicit_tls = parts.scheme == "smtps"
            self.starttls = not self.implicit_tls and query.get("starttls", ["0"])[0].lower() in TRUE
            self.host = parts.hostname or "localhost"
            self.port = parts.port or (465 if self.implicit_tls else 25)
            self.username = unquote(parts.username) if parts.username else None
            self.password = unquote(parts.password) if parts.password else None

    def throttle_key(self, message: Outgoing) -> str | None:
        return None

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                        context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                connection.starttls(context=ssl.create_default_context())
        if self.username:
            connection.login(self.username, self.password or "")
        return connection

    def _open(self) -> smtplib.SMTP:
        if self._connection is not None and time.monotonic() - self._last_used > IDLE_REUSE_SECONDS:
            self.close()
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    def compose(self, message: Outgoing) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.address or ""
        email["Subject"] = message.title
        email["Date"] = format_datetime(utcnow())
        email["Message-ID"] = message_id(message.key, self.sender)
        if message.urgent:
            email["Importance"] = "high"
        email.set_content(message.body)
        return email

    def send(self, message: Outgoing) -> Outcome:
        email = self.compose(message)
        try:
            connection = self._open()
            refused = connection.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            self.close()  # the session may be mid-transaction: the next message starts on a fresh connection
            return _refused(error.recipients)
        except smtplib.SMTPResponseException as error:  # sender refused, data refused, login refused …
            self.close()
            return _by_code(error.smtp_code, type(error).__name__, error.smtp_error)
        except (smtplib.SMTPException, OSError, socket.timeout) as error:  # connection lost, timed out
            self.close()
            return Outcome.retry(f"smtp: {type(error).__name__}: {error}")
        self._last_used = time.monotonic()
        if refused:  # one recipient only: not reached when all were refused
            return _refused(refused)
        return Outcome.sent(email["Message-ID"])

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                self._connection.close()
            self._connection = None


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _by_code(code: int, what: str, reply: bytes | str) -> Outcome:
    """SMTP's own split: 4xx passes (mailbox busy, greylisting, too many connections), 5xx stays."""
    text = f"smtp {code} {what}: {_text(reply)}"
    return Outcome.permanent(text) if 500 <= code < 600 else Outcome.retry(text)


def _refused(recipients: dict[str, tuple[int, bytes]]) -> Outcome:
    """The server's answer without the address (the error is shown to staff, the address only masked)."""
    code, reply = min(recipients.values())
    return _by_code(code, "recipient refused", reply)

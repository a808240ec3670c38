"""Real local servers for the outbox's channels, and helpers to fill and read the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email.message import Message

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlmodel import Session

from pm_admin.notify.models import Channel, OutboxMessage, Recipient
from pm_admin.notify.outbox import Address, enqueue

TEMPLATE = "notify.channel_test"  # a catalog template with one parameter, {channel}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts. ``delay`` seconds pass after a message is stored and
    before the server answers 250: a sender killed meanwhile has delivered without knowing it (the one ambiguous
    message of a crash). ``refuse`` maps a recipient to an SMTP reply for RCPT TO."""

    def __init__(self, delay: float = 0.0, refuse: dict[str, str] | None = None) -> None:
        self.delay = delay
        self.refuse = refuse or {}
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [message["Message-ID"] for message in self.messages]

    def wait_for(self, count: int, timeout: float = 30) -> None:
        """Until at least ``count`` messages arrived (fails the test after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.messages)} of {count} messages arrived in {timeout} s")
                self._arrived.wait(left)


@contextlib.contextmanager
def smtp_server(mailbox: Mailbox) -> Iterator[int]:
    """An SMTP server on a loopback port (yielded) while the block runs."""
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def wait_until(condition: Callable[[], bool], timeout: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in {timeout} s")
        time.sleep(0.02)


def queue(session: Session, channel: Channel, addresses: list[str | None], *, prefix: str = "t",
          urgent: bool = False, template: str = TEMPLATE, kind: Recipient = Recipient.USER,
          community_id: int | None = None) -> list[int]:
    """One message per address on ``channel``; their ids. The caller commits."""
    ids = []
    for n, address in enumerate(addresses):
        to = Address(Recipient.GROUP if channel == Channel.WECOM else kind, None if channel == Channel.WECOM else n + 1,
                     channel, address)
        ids.append(enqueue(session, key=f"{prefix}:{channel}:{n}", to=to, template=template,
                           params={"channel": channel.value}, urgent=urgent, community_id=community_id,
                           cause=f"test:{prefix}"))
    return ids


def rows(session: Session, ids: list[int] | None = None) -> list[OutboxMessage]:
    session.expire_all()
    statement = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if ids is not None:
        statement = statement.where(OutboxMessage.id.in_(ids))
    return list(session.execute(statement).scalars())


def statuses(session: Session) -> dict[str, int]:
    return dict(session.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all())


def empty_outbox(engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.delete(OutboxMessage.__table__))

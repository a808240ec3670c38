"""The dispatcher: ``python -m pm_admin.cli dispatch`` takes due messages from the outbox and sends them.

One message at a time: claim a batch (``claims``), then for each message renew its lease, send it through its
channel and commit its outcome before the next one is touched. So after a crash (SIGKILL, power loss) a restarted
dispatcher resends nothing already recorded; only the message in flight at that moment may go twice, once its
lease has run out, with the same outbox key given to the provider as its idempotency handle (see the channels).
SIGTERM or SIGINT: the message in hand is finished and recorded, the rest of the batch is given back, the process
ends; a second signal ends it at once (the message in hand then waits for its lease like after a crash).

Outcomes: sent / delivered; a passing failure → ``failed`` with ``next_attempt_at`` after exponential backoff with
jitter (``backoff``), until ``max_attempts`` → ``dead``; a permanent one → ``dead`` at once; always with
``last_error``. A channel with nothing configured delivers to the development outbox outside production
(delivered, provider id ``dev``) and is a permanent error in production. A full throttle gives the message back
untried until its slot frees.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import random
import signal
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from pm_admin.core import crypto
from pm_admin.core.clock import utcnow
from pm_admin.notify import claims
from pm_admin.notify.backoff import next_attempt
from pm_admin.notify.channels import Outcome, Outgoing, Result, Sender, senders_from
from pm_admin.notify.models import DEV_PROVIDER_ID, Channel, Delivery, OutboxMessage
from pm_admin.notify.outbox import rendered
from pm_admin.notify.throttle import Throttles
from pm_admin.settings import NotifySettings

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Tally:
    """What a dispatcher did, per outcome."""

    claimed: int = 0
    sent: int = 0
    delivered: int = 0
    development: int = 0  # delivered to the development outbox
    failed: int = 0  # to be tried again
    dead: int = 0
    deferred: int = 0  # a throttle was full
    released: int = 0  # given back when stopping
    lost: int = 0  # the claim had passed to another dispatcher

    def add(self, other: Tally) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def line(self) -> str:
        return ", ".join(f"{field.name} {getattr(self, field.name)}" for field in dataclasses.fields(self)
                         if getattr(self, field.name))


class Dispatcher:
    def __init__(self, engine: Engine | None, settings: NotifySettings, *, production: bool,
                 senders: dict[Channel, Sender] | None = None, batch_size: int = 50,
                 clock: Callable[[], datetime] = utcnow, rng: random.Random | None = None,
                 sessions: Callable[[], Session] | None = None) -> None:
        """``sessions`` makes the sessions it works in (default: on ``engine``); ``clock`` and ``rng`` are
        injected by tests to compute retry times instead of waiting for them."""
        self.sessions = sessions or (lambda: Session(engine, expire_on_commit=False))
        self.settings = settings
        self.production = production
        self.senders = senders if senders is not None else senders_from(settings)
        self.batch_size = batch_size
        self.clock = clock
        self.rng = rng or random.Random()
        self.lease = timedelta(seconds=settings.lease_seconds)
        self.throttles = Throttles(
            {Channel.EMAIL.value: settings.email_per_minute, Channel.SMS.value: settings.sms_per_minute,
             Channel.WECOM.value: settings.wecom_per_minute},
            {"wecom": settings.wecom_robot_per_minute})
        self.stopping = threading.Event()
        self._claims = 0
        self._identity = f"{socket.gethostname()[:20]}:{os.getpid()}"

    # ------------------------------------------------------------ running

    def stop(self) -> None:
        """Finish the message in hand, give the rest of the batch back, return from ``run``."""
        self.stopping.set()

    def _token(self) -> str:
        self._claims += 1
        return f"{self._identity}:{self._claims}"[-40:]

    def run_batch(self) -> Tally:
        """Claim up to ``batch_size`` due messages and send them one by one."""
        tally = Tally()
        token = self._token()
        with self.sessions() as session:
            now = self.clock()
            ids = claims.claim(session, now=now, lease_until=now + self.lease, token=token, limit=self.batch_size)
            tally.claimed = len(ids)
            messages = claims.load(session, ids, token)
            lease_until = now + self.lease
            for position, message in enumerate(messages):
                if self.stopping.is_set():
                    tally.released += claims.release(session, [m.id for m in messages[position:]], token)
                    break
                kept = self._keep_lease(session, message, token, lease_until, tally)
                if kept is None:  # the lease ran out and was taken: the next message checks its own claim too
                    lease_until = self.clock()
                    continue
                lease_until = kept
                self._dispatch(session, message, token, tally)
        if tally.claimed:
            logger.info("outbox: %s", tally.line())
        return tally

    def drain(self) -> Tally:
        """Send everything due now, then return (``dispatch --once``); retries due later stay queued."""
        total = Tally()
        while not self.stopping.is_set():
            tally = self.run_batch()
            total.add(tally)
            if not tally.claimed:
                break
        return total

    def run(self, poll_interval: float, idle_work: Callable[[], object] | None = None) -> Tally:
        """Until ``stop``: send what is due, wait ``poll_interval`` seconds when nothing is. The database out of
        reach (a restart, a failover) is waited out, longer each time up to a minute, instead of ending the process;
        what was claimed meanwhile comes back when its lease runs out."""
        total = Tally()
        outage = 0
        while not self.stopping.is_set():
            try:
                tally = self.run_batch()
            except sa.exc.OperationalError as error:
                outage += 1
                wait = min(60.0, poll_interval * 2 ** min(outage, 10))
                logger.error("outbox: database unavailable (%s); trying again in %.0f s",
                             str(error.orig or error).splitlines()[0][:200], wait)
                self.stopping.wait(wait)
                continue
            outage = 0
            total.add(tally)
            if not tally.claimed:
                if idle_work is not None:  # the app's timed work (notices due, escalations), when the queue is empty
                    idle_work()
                self.stopping.wait(poll_interval)
        return total

    def close(self) -> None:
        for sender in self.senders.values():
            sender.close()

    # ------------------------------------------------------------ one message

    def _keep_lease(self, session: Session, message: OutboxMessage, token: str, lease_until: datetime,
                    tally: Tally) -> datetime | None:
        """The lease this message is sent under, renewed when less than half of it is left; None when the message
        is no longer ours (another dispatcher took it over after our lease ran out): it is not sent."""
        now = self.clock()
        if lease_until - now >= self.lease / 2:
            return lease_until
        renewed = now + self.lease
        if claims.renew(session, message.id, token, renewed):
            return renewed
        tally.lost += 1
        logger.warning("outbox: message %s was taken over by another dispatcher; not sent here", message.id)
        return None

    def _dispatch(self, session: Session, message: OutboxMessage, token: str, tally: Tally) -> None:
        sender = self.senders[message.channel]
        now = self.clock()
        if not sender.configured:
            if self.production:
                outcome = Outcome.permanent(f"{sender.missing} (channel not configured)")
            else:
                outcome = Outcome.delivered(DEV_PROVIDER_ID)
                tally.development += 1
            self._settle(session, message, token, outcome, tally)
            return
        try:
            outgoing = self.outgoing(message)
        except Exception as error:  # an address that no key decrypts, a template gone from the catalog
            self._settle(session, message, token, Outcome.permanent(f"cannot prepare: {error}"), tally)
            return
        throttle_key = sender.throttle_key(outgoing)
        if message.channel != Channel.INBOX:
            free = self.throttles.next_free(message.channel.value, throttle_key, now)
            if free is not None:
                tally.deferred += claims.defer(session, message.id, token, free)
                return
            self.throttles.take(message.channel.value, throttle_key, now)
        try:
            outcome = sender.send(outgoing)
        except Exception as error:  # a channel's own bug must not stop the others: retried, and dead in the end
            logger.exception("outbox: channel %s failed on message %s", message.channel, message.id)
            outcome = Outcome.retry(f"{type(error).__name__}: {error}")
        if outcome.result == Result.RETRY and outcome.retry_after:
            self.throttles.pause(message.channel.value, throttle_key,
                                 self.clock() + timedelta(seconds=outcome.retry_after))
        self._settle(session, message, token, outcome, tally)

    @staticmethod
    def outgoing(message: OutboxMessage) -> Outgoing:
        title, body = rendered(message)
        return Outgoing(id=message.id, key=message.key, address=crypto.decrypt(message.address_enc), title=title,
                        body=body, template=message.template, params=dict(message.params or {}),
                        language=message.language, urgent=message.urgent)

    def _settle(self, session: Session, message: OutboxMessage, token: str, outcome: Outcome, tally: Tally) -> None:
        now = self.clock()
        attempts = message.attempts + 1
        values: dict = {"attempts": attempts}
        if outcome.result in (Result.SENT, Result.DELIVERED):
            values.update(status=Delivery.SENT, sent_at=now, last_error="",
                          provider_message_id=outcome.provider_message_id)
            if outcome.result == Result.DELIVERED:
                values.update(status=Delivery.DELIVERED, delivered_at=now)
        elif outcome.result == Result.RETRY and attempts < self.settings.max_attempts:
            values.update(status=Delivery.FAILED, last_error=outcome.error, next_attempt_at=next_attempt(
                now, attempts, self.settings.backoff_base_seconds, self.settings.backoff_cap_seconds, self.rng,
                outcome.retry_after))
        else:
            error = outcome.error if outcome.result == Result.PERMANENT else \
                f"gave up after {attempts} attempts: {outcome.error}"
            values.update(status=Delivery.DEAD, last_error=error[:500])
        if not claims.settle(session, message.id, token, **values):
            tally.lost += 1
            logger.warning("outbox: message %s was taken over by another dispatcher before its outcome (%s) was "
                           "written", message.id, values["status"])
            return
        status = values["status"]
        if status == Delivery.SENT:
            tally.sent += 1
        elif status == Delivery.DELIVERED:
            tally.delivered += 1
        elif status == Delivery.FAILED:
            tally.failed += 1
            logger.warning("outbox: message %s (%s) failed, attempt %s: %s", message.id, message.channel, attempts,
                           outcome.error)
        else:
            tally.dead += 1
            logger.warning("outbox: message %s (%s) is dead: %s", message.id, message.channel, values["last_error"])


def stop_on_signals(dispatcher: Dispatcher) -> None:
    """SIGTERM / SIGINT: stop after the message in hand; the same signal again: stop now."""
    def handle(signum, _frame):
        if dispatcher.stopping.is_set():
            raise KeyboardInterrupt
        logger.info("outbox: %s received, stopping after the message in hand", signal.Signals(signum).name)
        dispatcher.stop()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)

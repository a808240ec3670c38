"""The dispatcher's promises with committed data and real processes: two dispatchers never take one message,
a dispatcher killed mid-batch and restarted sends each message once (counted by distinct Message-ID at a real SMTP
server), SIGTERM finishes the message in hand and stops cleanly, a lease that ran out passes the message on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from pm_admin.core.clock import utcnow
from pm_admin.core.db import make_engine
from pm_admin.notify import claims
from pm_admin.notify.channels.inbox import InboxSender
from pm_admin.notify.channels.smtp import SmtpSender, message_id
from pm_admin.notify.dispatcher import Dispatcher
from pm_admin.notify.models import Channel, Delivery, OutboxMessage
from pm_admin.settings import PROJECT_ROOT, NotifySettings
from tests.conftest import BACKENDS, database_url
from tests.support.database import upgrade
from tests.support.outbox import Mailbox, empty_outbox, queue, rows, smtp_server, wait_until

SENDER = "pm_admin <noreply@pm.example.com>"


@pytest.fixture(scope="module", params=BACKENDS)
def outbox_engine(request, postgres, tmp_path_factory):
    """A database of its own: these tests commit for real, as dispatchers in other threads and processes see."""
    url = database_url(request.param, "pm_outbox_dispatch", postgres, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(outbox_engine):
    empty_outbox(outbox_engine)
    yield outbox_engine
    empty_outbox(outbox_engine)


def fill(engine, channel: Channel, addresses: list, prefix: str) -> list[int]:
    with Session(engine) as session:
        ids = queue(session, channel, addresses, prefix=prefix)
        session.commit()
    return ids


def all_rows(engine) -> list[OutboxMessage]:
    with Session(engine, expire_on_commit=False) as session:
        return rows(session)


def count_status(engine, *statuses: Delivery) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.in_(statuses))).scalar()


# ------------------------------------------------------------------ claims


def test_concurrent_claims_never_take_a_message_twice(engine):
    expected = fill(engine, Channel.INBOX, [None] * 400, "claims")
    taken: list[list[int]] = [[] for _ in range(4)]
    start = threading.Barrier(4)

    def claimer(mine: list[int], number: int) -> None:
        start.wait()
        with Session(engine) as session:
            while batch := claims.claim(session, now=utcnow(), lease_until=utcnow() + timedelta(minutes=5),
                                        token=f"claimer-{number}", limit=7):
                mine.extend(batch)

    threads = [threading.Thread(target=claimer, args=(taken[n], n)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    claimed = [message for mine in taken for message in mine]
    assert len(claimed) == len(set(claimed)) == 400 and sorted(claimed) == sorted(expected)
    if engine.dialect.name == "postgresql":  # SQLite may let one writer win every time: see the next test
        assert sum(1 for mine in taken if mine) >= 2, [len(mine) for mine in taken]  # they did compete
    with engine.connect() as connection:
        holders = dict(connection.execute(sa.select(OutboxMessage.id, OutboxMessage.claimed_by)).all())
    for number, mine in enumerate(taken):
        assert {holders[message] for message in mine} <= {f"claimer-{number}"}


def test_a_claim_made_on_a_stale_reading_takes_nothing_another_dispatcher_took(engine):
    """SQLite's two steps, interleaved by hand as two dispatchers could: both read the same due rows, the first
    takes them, the second's conditional UPDATE matches none of them — also a lease that ran out and was renewed."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL claims in one statement (FOR UPDATE SKIP LOCKED): the test above")
    expected = fill(engine, Channel.INBOX, [None] * 5, "stale")
    now = utcnow() + timedelta(seconds=1)
    with Session(engine) as first, Session(engine) as second:
        read_first = claims.candidates(first, now=now, limit=10)
        read_second = claims.candidates(second, now=now, limit=10)
        assert [row.id for row in read_first] == [row.id for row in read_second] == expected
        assert claims.take(first, read_first[:3], lease_until=now + timedelta(seconds=60), token="first") == \
            expected[:3]
        first.commit()
        assert claims.take(second, read_second, lease_until=now + timedelta(seconds=60), token="second") == \
            expected[3:]
        second.commit()
        # The first's lease runs out; both read the expired rows, the first takes them back before the second.
        later = now + timedelta(seconds=61)
        expired_first = claims.candidates(first, now=later, limit=10)
        expired_second = claims.candidates(second, now=later, limit=10)
        assert [row.id for row in expired_first] == [row.id for row in expired_second] == expected
        claims.take(first, expired_first[:3], lease_until=later + timedelta(seconds=60), token="first-again")
        first.commit()
        assert claims.take(second, expired_second, lease_until=later + timedelta(seconds=60),
                           token="second-again") == expected[3:]
        second.commit()
    holders = {row.id: row.claimed_by for row in all_rows(engine)}
    assert holders == {**dict.fromkeys(expected[:3], "first-again"), **dict.fromkeys(expected[3:], "second-again")}


def test_a_lease_that_ran_out_passes_the_message_on_and_the_late_dispatcher_writes_nothing(engine):
    (message,) = fill(engine, Channel.INBOX, [None], "lease")
    now = utcnow() + timedelta(seconds=1)
    with Session(engine) as session:
        assert claims.claim(session, now=now, lease_until=now + timedelta(seconds=60), token="first",
                            limit=10) == [message]
        assert claims.claim(session, now=now + timedelta(seconds=59), lease_until=now + timedelta(seconds=120),
                            token="second", limit=10) == []
        later = now + timedelta(seconds=61)
        assert claims.claim(session, now=later, lease_until=later + timedelta(seconds=60), token="second",
                            limit=10) == [message]
        assert not claims.settle(session, message, "first", status=Delivery.SENT)
        assert not claims.renew(session, message, "first", later + timedelta(seconds=300))
        assert claims.settle(session, message, "second", status=Delivery.DELIVERED)
    (row,) = all_rows(engine)
    assert (row.status, row.claimed_by, row.claimed_until) == (Delivery.DELIVERED, "", None)


def test_two_dispatchers_draining_one_queue_send_each_message_once(engine):
    mailbox = Mailbox()
    ids = fill(engine, Channel.EMAIL, [f"owner{n}@example.com" for n in range(300)], "pair")
    with smtp_server(mailbox) as port:
        config = NotifySettings(smtp_url=f"smtp://127.0.0.1:{port}", smtp_from=SENDER)
        dispatchers = [Dispatcher(engine, config, production=False, batch_size=10,
                                  senders={Channel.INBOX: InboxSender(),
                                           Channel.EMAIL: SmtpSender(config.smtp_url, SENDER, 5)})
                       for _ in range(2)]
        start = threading.Barrier(2)
        tallies = [None, None]

        def run(n: int) -> None:
            start.wait()
            tallies[n] = dispatchers[n].drain()

        threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        for dispatcher in dispatchers:
            dispatcher.close()
    received = mailbox.message_ids()
    assert len(received) == len(set(received)) == 300
    assert set(received) == {message_id(row.key, SENDER) for row in all_rows(engine)}
    assert count_status(engine, Delivery.SENT) == len(ids)
    assert sum(tally.sent for tally in tallies) == 300
    if engine.dialect.name == "postgresql":  # both really worked the queue (SQLite may let one writer win throughout)
        assert all(tally.sent > 0 for tally in tallies), [tally.sent for tally in tallies]
    assert sum(tally.lost for tally in tallies) == 0


# ------------------------------------------------------------------ the dispatcher as a process


def start_dispatcher(engine, smtp_port: int, *extra: str) -> subprocess.Popen:
    environ = {**os.environ, "PM_ENV": "test", "DATABASE_URL": engine.url.render_as_string(hide_password=False),
               "PM_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "PM_SMTP_FROM": SENDER,
               # A short lease so that the restarted dispatcher takes over the killed one's batch within seconds.
               "PM_NOTIFY_SEND_TIMEOUT_SECONDS": "1", "PM_NOTIFY_LEASE_SECONDS": "4"}
    return subprocess.Popen([sys.executable, "-m", "pm_admin.cli", "dispatch", "--batch-size", "10",
                             "--poll-interval", "0.1", *extra], cwd=PROJECT_ROOT, env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def output_of(process: subprocess.Popen, timeout: float = 60) -> str:
    out, _ = process.communicate(timeout=timeout)
    return out


def test_a_dispatcher_killed_mid_batch_and_restarted_sends_each_message_exactly_once(engine):
    # The SMTP server keeps each message, then takes 50 ms to say 250: a kill in that moment leaves a message
    # delivered but not recorded — the one ambiguity of a crash, resent with the same Message-ID.
    mailbox = Mailbox(delay=0.05)
    ids = fill(engine, Channel.EMAIL, [f"owner{n}@example.com" for n in range(60)], "crash")
    with smtp_server(mailbox) as port:
        first = start_dispatcher(engine, port)
        try:
            mailbox.wait_for(20, timeout=120)
        finally:
            first.kill()
        assert first.wait(30) == -signal.SIGKILL
        recorded = count_status(engine, Delivery.SENT)
        assert 19 <= recorded < 60 and count_status(engine, Delivery.SENDING) >= 1  # killed mid-batch
        second = start_dispatcher(engine, port)
        try:
            wait_until(lambda: count_status(engine, Delivery.SENT) == 60, timeout=120, what="all 60 sent")
        finally:
            second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0, output_of(second)
        assert "outbox dispatcher stopped" in output_of(second)
    received = mailbox.message_ids()
    expected = {message_id(row.key, SENDER) for row in all_rows(engine)}
    assert len(expected) == len(ids) == 60
    assert set(received) == expected  # each message arrived …
    assert len(received) - len(set(received)) <= 1  # … once, but for the one in flight at the kill
    assert all(row.status == Delivery.SENT and row.attempts == 1 for row in all_rows(engine))


def test_sigterm_finishes_the_message_in_hand_gives_the_batch_back_and_stops(engine):
    mailbox = Mailbox(delay=0.1)
    fill(engine, Channel.EMAIL, [f"owner{n}@example.com" for n in range(40)], "term")
    with smtp_server(mailbox) as port:
        process = start_dispatcher(engine, port)
        try:
            mailbox.wait_for(5, timeout=120)
        finally:
            process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        out = output_of(process)
    assert "SIGTERM received" in out and "outbox dispatcher stopped" in out
    received = set(mailbox.message_ids())
    finished = [row for row in all_rows(engine) if row.status == Delivery.SENT]
    # What the server accepted is what was recorded as sent, the message in hand included; nothing left claimed.
    assert {message_id(row.key, SENDER) for row in finished} == received and len(received) < 40
    assert count_status(engine, Delivery.SENDING) == 0
    assert count_status(engine, Delivery.QUEUED) == 40 - len(received)
    assert all(row.claimed_by == "" for row in all_rows(engine))


def test_the_command_line_queues_a_test_message_and_once_delivers_it_to_the_development_outbox(engine):
    environ = {**os.environ, "PM_ENV": "development", "DATABASE_URL": engine.url.render_as_string(hide_password=False),
               "PM_BCRYPT_ROUNDS": "12"}  # development's floor (the suite runs at 4, which only test accepts)
    for name in [name for name in environ if name.startswith(("PM_SMTP", "PM_SMS", "PM_WECOM"))]:
        del environ[name]

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pm_admin.cli", *args], cwd=PROJECT_ROOT, env=environ,
                              capture_output=True, text=True, timeout=120)

    queued = cli("notify-test", "--channel", "sms", "--to", "13800138000")
    assert queued.returncode == 0 and "queued: message" in queued.stdout, queued.stderr
    assert cli("notify-test", "--channel", "sms").returncode == 2  # no address
    once = cli("dispatch", "--once", "--batch-size", "5")
    assert once.returncode == 0, once.stderr
    assert "not configured, so to the development outbox: email, sms, wecom" in once.stdout
    assert "outbox dispatcher stopped: claimed 1, delivered 1, development 1" in once.stdout
    (row,) = all_rows(engine)
    assert (row.status, row.provider_message_id, row.address_masked) == (Delivery.DELIVERED, "dev", "138****8000")

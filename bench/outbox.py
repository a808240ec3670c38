"""Outbox throughput: messages/s per channel through the dispatcher against local servers.

    .venv/bin/python bench/outbox.py                        # 2,000 messages per channel, SQLite and PostgreSQL
    .venv/bin/python bench/outbox.py --messages 500 --backend sqlite
    .venv/bin/python bench/outbox.py --dispatchers 2        # two dispatchers (threads) draining the same queue

Each channel's 2,000 messages are written with ``enqueue`` in one transaction (the rate is printed too), then one
dispatcher (``--batch-size``) drains them: every message claimed, sent, and its outcome committed on its own, as in
production. Servers: aiosmtpd for e-mail (one connection kept open), pytest-httpserver's threaded werkzeug server
answering as the Alibaba Cloud SMS API (through the real SDK) and as a WeCom robot. The robot's 20-a-minute limit is
switched off here — with it, 2,000 messages to one robot take 100 minutes by design; the figure is what the
dispatcher could do. Every message must end ``sent``/``delivered`` and the servers must have received each exactly
once, else the run fails.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PM_ENV", "test")
os.environ.setdefault("PM_DATA_DIR", tempfile.mkdtemp(prefix="pm_bench_"))

import sqlalchemy as sa  # noqa: E402
from backends import on_each_backend  # noqa: E402 - bench/ is the script folder
from pytest_httpserver import HTTPServer  # noqa: E402
from sqlmodel import Session  # noqa: E402
from werkzeug import Request, Response  # noqa: E402

from pm_admin.notify.dispatcher import Dispatcher, Tally  # noqa: E402
from pm_admin.notify.models import Channel, Delivery, OutboxMessage, Recipient  # noqa: E402
from pm_admin.notify.outbox import Address, enqueue  # noqa: E402
from pm_admin.settings import NotifySettings  # noqa: E402
from tests.support.outbox import Mailbox, smtp_server  # noqa: E402

SENDER = "pm_admin <noreply@pm.example.com>"
CHANNELS = (Channel.INBOX, Channel.EMAIL, Channel.SMS, Channel.WECOM)


class Counter:
    def __init__(self, answer: dict) -> None:
        self.answer = json.dumps(answer)
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        request.get_data()
        with self._lock:
            self.count += 1
        return Response(self.answer, content_type="application/json")


def address(channel: Channel, n: int) -> str | None:
    return {Channel.INBOX: None, Channel.EMAIL: f"owner{n}@example.com", Channel.SMS: f"138{n:08d}",
            Channel.WECOM: "bench"}[channel]


def fill(engine, channel: Channel, count: int, run: str) -> float:
    started = time.perf_counter()
    with Session(engine) as session:
        for n in range(count):
            kind = Recipient.GROUP if channel == Channel.WECOM else Recipient.OWNER_ACCOUNT
            enqueue(session, key=f"bench:{run}:{channel}:{n}", to=Address(kind, None if kind == Recipient.GROUP else n,
                                                                           channel, address(channel, n)),
                    template="notify.channel_test", params={"channel": channel.value}, cause=f"bench:{run}")
        session.commit()
    return time.perf_counter() - started


def drain(engine, config: NotifySettings, dispatchers: int, batch_size: int) -> tuple[float, list[Tally]]:
    workers = [Dispatcher(engine, config, production=False, batch_size=batch_size) for _ in range(dispatchers)]
    tallies: list[Tally] = [Tally() for _ in workers]
    start = threading.Barrier(len(workers))

    def work(n: int) -> None:
        start.wait()
        tallies[n] = workers[n].drain()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(workers))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.close()
    return elapsed, tallies


def run(engine, label: str, messages: int, dispatchers: int, batch_size: int) -> None:
    http = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    http.start()
    robot = Counter({"errcode": 0, "errmsg": "ok"})
    provider = Counter({"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "R"})
    http.expect_request("/robot", method="POST").respond_with_handler(robot)
    http.expect_request("/", method="POST").respond_with_handler(provider)
    mailbox = Mailbox()
    print(f"\n== {label}: {messages} messages per channel, {dispatchers} dispatcher(s), batch {batch_size}")
    print(f"{'channel':<8} {'enqueue/s':>10} {'drain s':>8} {'messages/s':>11}  check")
    try:
        with smtp_server(mailbox) as smtp_port:
            config = NotifySettings(
                smtp_url=f"smtp://127.0.0.1:{smtp_port}", smtp_from=SENDER, sms_provider="aliyun",
                sms_endpoint=f"127.0.0.1:{http.port}", sms_scheme="http", sms_access_key_id="bench",
                sms_access_key_secret="bench", sms_sign_name="物业", sms_templates=(("notify.channel_test", "SMS_1"),),
                wecom_robots=(("bench", http.url_for("/robot")),), wecom_robot_per_minute=10**9)
            for channel in CHANNELS:
                run_id = f"{label}:{time.monotonic_ns()}"
                written = fill(engine, channel, messages, run_id)
                elapsed, tallies = drain(engine, config, dispatchers, batch_size)
                with engine.connect() as connection:
                    done = connection.execute(sa.select(sa.func.count()).select_from(OutboxMessage).where(
                        OutboxMessage.cause == f"bench:{run_id}",
                        OutboxMessage.status.in_((Delivery.SENT, Delivery.DELIVERED)))).scalar()
                received = {Channel.INBOX: done, Channel.EMAIL: len(set(mailbox.message_ids())),
                            Channel.SMS: provider.count, Channel.WECOM: robot.count}[channel]
                ok = done == messages and received == messages
                if channel == Channel.EMAIL:
                    ok = ok and len(mailbox.message_ids()) == messages
                print(f"{channel.value:<8} {messages / written:>10.0f} {elapsed:>8.2f} {messages / elapsed:>11.0f}  "
                      f"{'ok' if ok else 'FAILED'} ({done} recorded, {received} received; "
                      + " / ".join(t.line() for t in tallies) + ")", flush=True)
                if not ok:
                    raise SystemExit(f"{channel}: {done} of {messages} recorded, {received} received")
    finally:
        http.clear()
        http.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--dispatchers", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    for noisy in ("werkzeug", "mail.log"):  # a line per request
        logging.getLogger(noisy).setLevel(logging.ERROR)
    on_each_backend(args.backend, lambda engine, label: run(engine, label, args.messages, args.dispatchers,
                                                            args.batch_size))
    return 0


if __name__ == "__main__":
    sys.exit(main())

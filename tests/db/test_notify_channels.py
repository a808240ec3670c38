"""Each channel against a real local server (aiosmtpd for SMTP, pytest-httpserver for the WeCom webhook and the
Alibaba Cloud SMS endpoint), driven by the dispatcher with an injected clock: retry times are computed, not
waited for."""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import timedelta

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pm_admin.core.clock import utcnow
from pm_admin.notify.backoff import retry_delay
from pm_admin.notify.channels.inbox import InboxSender
from pm_admin.notify.channels.sms import AliyunSmsSender
from pm_admin.notify.channels.smtp import SmtpSender, message_id
from pm_admin.notify.channels.wecom import WecomSender
from pm_admin.notify.dispatcher import Dispatcher
from pm_admin.notify.models import Channel, Delivery
from pm_admin.notify.outbox import rendered
from pm_admin.settings import NotifySettings
from tests.support.database import session_on
from tests.support.outbox import Mailbox, free_port, queue, rows, smtp_server

SENDER = "翠湖物业 <noreply@pm.example.com>"
TIMEOUT = 0.5  # seconds; a handler that sleeps longer is a timeout


@pytest.fixture(scope="module")
def make_httpserver():
    """pytest-httpserver's server, threaded: a handler sleeping past the client's timeout holds no other request."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


class Clock:
    def __init__(self) -> None:
        self.now = utcnow() + timedelta(seconds=1)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def dispatcher(session, settings: NotifySettings, senders: dict, clock: Clock, *, production: bool = False,
               seed: int = 7) -> Dispatcher:
    session.commit()
    return Dispatcher(None, settings, production=production, senders={Channel.INBOX: InboxSender(), **senders},
                      clock=clock, rng=random.Random(seed), sessions=lambda: session_on(session.connection()))


def settings(**overrides) -> NotifySettings:
    values = {"backoff_base_seconds": 30, "backoff_cap_seconds": 3600, "max_attempts": 4}
    values.update(overrides)
    return NotifySettings(**values)


# ------------------------------------------------------------------ e-mail


def test_email_reaches_the_smtp_server_with_its_text_and_a_message_id_derived_from_the_key(session):
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        config = settings(smtp_url=f"smtp://127.0.0.1:{port}", smtp_from=SENDER)
        ids = queue(session, Channel.EMAIL, ["wang@example.com", "li@example.com", "zhao@example.com"], prefix="mail")
        clock = Clock()
        tally = dispatcher(session, config, {Channel.EMAIL: SmtpSender(config.smtp_url, SENDER, TIMEOUT)},
                           clock).drain()
    assert tally.sent == 3
    sent = rows(session, ids)
    assert [row.status for row in sent] == [Delivery.SENT] * 3
    by_id = {message["Message-ID"]: message for message in mailbox.messages}
    for row in sent:
        expected = message_id(row.key, SENDER)
        assert row.provider_message_id == expected and expected in by_id
        title, body = rendered(row)
        assert by_id[expected]["Subject"] == title == "测试消息"
        assert by_id[expected].get_content().strip() == body
        assert row.attempts == 1 and row.sent_at == clock.now and row.last_error == ""
    assert sorted(message["To"] for message in mailbox.messages) == ["li@example.com", "wang@example.com",
                                                                      "zhao@example.com"]
    assert len({message_id(row.key, SENDER) for row in sent}) == 3


def test_a_refused_mailbox_is_dead_at_once_and_a_busy_one_is_tried_again_later(session):
    mailbox = Mailbox(refuse={"gone@example.com": "550 5.1.1 mailbox unavailable",
                              "busy@example.com": "451 4.2.1 try again later"})
    with smtp_server(mailbox) as port:
        config = settings(smtp_url=f"smtp://127.0.0.1:{port}", smtp_from=SENDER)
        gone, busy = queue(session, Channel.EMAIL, ["gone@example.com", "busy@example.com"], prefix="refused")
        clock = Clock()
        dispatcher(session, config, {Channel.EMAIL: SmtpSender(config.smtp_url, SENDER, TIMEOUT)}, clock).drain()
    dead, failed = rows(session, [gone, busy])
    assert dead.status == Delivery.DEAD and "550" in dead.last_error and "gone@" not in dead.last_error
    assert failed.status == Delivery.FAILED and "451" in failed.last_error and failed.attempts == 1
    assert failed.next_attempt_at == clock.now + timedelta(seconds=retry_delay(1, 30, 3600, random.Random(7)))
    assert mailbox.messages == []


def test_no_smtp_server_listening_is_a_passing_failure(session):
    config = settings(smtp_url=f"smtp://127.0.0.1:{free_port()}", smtp_from=SENDER)
    (message_id_,) = queue(session, Channel.EMAIL, ["wang@example.com"], prefix="down")
    dispatcher(session, config, {Channel.EMAIL: SmtpSender(config.smtp_url, SENDER, TIMEOUT)}, Clock()).drain()
    (row,) = rows(session, [message_id_])
    assert row.status == Delivery.FAILED and "ConnectionRefused" in row.last_error


# ------------------------------------------------------------------ WeCom group robots


class Robot:
    """A WeCom webhook: answers each request with the next of ``answers`` (the last one repeats); an answer
    ``"sleep"`` sleeps past the client's timeout and then answers ok."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.received: list[dict] = []
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self._lock:
            self.received.append(json.loads(request.get_data()))
            answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer == "sleep":
            time.sleep(TIMEOUT * 3)
            answer = 0
        return Response(json.dumps({"errcode": answer, "errmsg": "ok" if answer == 0 else f"error {answer}"}),
                        content_type="application/json")


def robots(httpserver: HTTPServer, **handlers: Robot) -> tuple[tuple[str, str], ...]:
    for name, handler in handlers.items():
        httpserver.expect_request(f"/cgi-bin/webhook/send/{name}", method="POST").respond_with_handler(handler)
    return tuple((name, httpserver.url_for(f"/cgi-bin/webhook/send/{name}")) for name in handlers)


def wecom(config: NotifySettings) -> dict:
    return {Channel.WECOM: WecomSender(config.wecom_robots, TIMEOUT)}


def test_a_robot_message_is_markdown_with_the_title_and_body(session, httpserver):
    robot = Robot(0)
    config = settings(wecom_robots=robots(httpserver, engineering=robot))
    (message,) = queue(session, Channel.WECOM, ["engineering"], prefix="robot_ok")
    dispatcher(session, config, wecom(config), Clock()).drain()
    (row,) = rows(session, [message])
    assert row.status == Delivery.SENT and row.address_masked == "engineering"
    (payload,) = robot.received
    title, body = rendered(row)
    assert payload == {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{body}"}}


@pytest.mark.parametrize("errcode", [45009, 130101])
def test_too_fast_holds_the_robot_for_a_minute_and_then_both_messages_go(session, httpserver, errcode):
    robot = Robot(errcode, 0)
    config = settings(wecom_robots=robots(httpserver, engineering=robot))
    first, second = queue(session, Channel.WECOM, ["engineering", "engineering"], prefix=f"fast{errcode}")
    clock = Clock()
    sender = dispatcher(session, config, wecom(config), clock)
    tally = sender.drain()
    assert (tally.failed, tally.deferred, len(robot.received)) == (1, 1, 1)  # the second was not even tried
    failed, deferred = rows(session, [first, second])
    assert failed.status == Delivery.FAILED and failed.last_error.startswith(f"wecom {errcode}")
    # The backoff after a first failure is 15–30 s; the robot's minute is longer and wins.
    assert failed.next_attempt_at == clock.now + timedelta(seconds=60)
    assert deferred.status == Delivery.QUEUED and deferred.attempts == 0
    assert deferred.next_attempt_at == clock.now + timedelta(seconds=60)
    clock.advance(59)
    assert sender.drain().claimed == 0  # not due yet
    clock.advance(1)
    assert sender.drain().sent == 2
    assert [row.status for row in rows(session, [first, second])] == [Delivery.SENT, Delivery.SENT]
    assert rows(session, [first])[0].attempts == 2 and rows(session, [second])[0].attempts == 1


def test_a_timeout_is_tried_again_after_the_computed_backoff(session, httpserver):
    robot = Robot("sleep", 0)
    config = settings(wecom_robots=robots(httpserver, engineering=robot))
    (message,) = queue(session, Channel.WECOM, ["engineering"], prefix="robot_timeout")
    clock = Clock()
    sender = dispatcher(session, config, wecom(config), clock, seed=11)
    assert sender.drain().failed == 1
    (row,) = rows(session, [message])
    assert row.status == Delivery.FAILED and "timed out" in row.last_error
    delay = retry_delay(1, 30, 3600, random.Random(11))
    assert 15 <= delay <= 30 and row.next_attempt_at == clock.now + timedelta(seconds=delay)
    clock.advance(delay)
    assert sender.drain().sent == 1
    (row,) = rows(session, [message])
    assert row.status == Delivery.SENT and row.attempts == 2 and row.last_error == ""


def test_an_invalid_robot_is_dead_at_once_and_an_unknown_error_after_the_last_attempt(session, httpserver):
    removed, strange = Robot(93000), Robot(600013)
    config = settings(wecom_robots=robots(httpserver, removed=removed, strange=strange), max_attempts=4)
    dead_at_once, retried = queue(session, Channel.WECOM, ["removed", "strange"], prefix="robot_dead")
    clock = Clock()
    expected = random.Random(5)
    sender = dispatcher(session, config, wecom(config), clock, seed=5)
    sender.drain()
    (row,) = rows(session, [dead_at_once])
    assert row.status == Delivery.DEAD and row.attempts == 1 and row.last_error == "wecom 93000: error 93000"
    for attempt in (1, 2, 3):
        (row,) = rows(session, [retried])
        assert row.status == Delivery.FAILED and row.attempts == attempt
        step = min(3600, 30 * 2 ** (attempt - 1))
        delay = retry_delay(attempt, 30, 3600, expected)
        assert step / 2 <= delay <= step and row.next_attempt_at == clock.now + timedelta(seconds=delay)
        clock.advance(delay)
        sender.drain()
    (row,) = rows(session, [retried])
    assert row.status == Delivery.DEAD and row.attempts == 4
    assert row.last_error == "gave up after 4 attempts: wecom 600013: error 600013"
    assert (len(removed.received), len(strange.received)) == (1, 4)


def test_each_robot_takes_twenty_messages_a_minute(session, httpserver):
    busy, quiet = Robot(0), Robot(0)
    config = settings(wecom_robots=robots(httpserver, busy=busy, quiet=quiet))
    many = queue(session, Channel.WECOM, ["busy"] * 25, prefix="robot_rate")
    (other,) = queue(session, Channel.WECOM, ["quiet"], prefix="robot_quiet")
    clock = Clock()
    sender = dispatcher(session, config, wecom(config), clock)
    tally = sender.drain()
    assert (tally.sent, tally.deferred, len(busy.received), len(quiet.received)) == (21, 5, 20, 1)
    waiting = [row for row in rows(session, many) if row.status == Delivery.QUEUED]
    assert len(waiting) == 5 and {row.next_attempt_at for row in waiting} == {clock.now + timedelta(seconds=60)}
    assert rows(session, [other])[0].status == Delivery.SENT
    clock.advance(60)
    assert sender.drain().sent == 5 and len(busy.received) == 25


# ------------------------------------------------------------------ SMS (Alibaba Cloud SDK)


class Provider:
    """The SendSms action of dysmsapi: answers with the next of ``answers`` (status, body)."""

    def __init__(self, *answers: tuple[int, dict]) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[dict, dict]] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append((dict(request.args), dict(request.headers)))
        status, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return Response(json.dumps(body), status=status, content_type="application/json")


def sms_settings(httpserver: HTTPServer, provider: Provider, **overrides) -> NotifySettings:
    httpserver.expect_request("/", method="POST").respond_with_handler(provider)
    return settings(sms_provider="aliyun", sms_endpoint=f"127.0.0.1:{httpserver.port}", sms_scheme="http",
                    sms_access_key_id="LTAI-test", sms_access_key_secret="secret", sms_sign_name="翠湖物业",
                    sms_templates=(("notify.channel_test", "SMS_476360123"),), **overrides)


def test_sms_goes_through_the_sdk_with_the_template_code_params_and_the_key_as_out_id(session, httpserver):
    provider = Provider((200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "R1"}))
    config = sms_settings(httpserver, provider)
    (message,) = queue(session, Channel.SMS, ["13800138000"], prefix="sms_ok")
    dispatcher(session, config, {Channel.SMS: AliyunSmsSender(config, TIMEOUT)}, Clock()).drain()
    (row,) = rows(session, [message])
    assert row.status == Delivery.SENT and row.provider_message_id == "900619746936498440^0"
    assert row.address_masked == "138****8000"
    ((args, headers),) = provider.requests
    assert args == {"PhoneNumbers": "13800138000", "SignName": "翠湖物业", "TemplateCode": "SMS_476360123",
                    "TemplateParam": json.dumps({"channel": "sms"}), "OutId": row.key}
    assert headers["X-Acs-Action"] == "SendSms" and headers["Authorization"].startswith("ACS3-HMAC-SHA256")


def test_sms_provider_errors_are_dead_or_tried_again_by_their_code(session, httpserver):
    provider = Provider(
        (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "R2"}),
        (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1", "RequestId": "R3"}),
        (500, {"Code": "InternalError", "Message": "The request processing has failed", "RequestId": "R4"}),
        (404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found.",
               "RequestId": "R5"}))
    config = sms_settings(httpserver, provider)
    ids = queue(session, Channel.SMS, ["13800138001", "13800138002", "13800138003", "13800138004"], prefix="sms_err")
    dispatcher(session, config, {Channel.SMS: AliyunSmsSender(config, TIMEOUT)}, Clock()).drain()
    illegal, limited, server_error, wrong_key = rows(session, ids)
    assert (illegal.status, illegal.last_error) == (Delivery.DEAD, "sms isv.MOBILE_NUMBER_ILLEGAL: 非法手机号")
    assert limited.status == Delivery.FAILED and limited.last_error.startswith("sms isv.BUSINESS_LIMIT_CONTROL")
    assert server_error.status == Delivery.FAILED and server_error.last_error.startswith("sms InternalError")
    assert wrong_key.status == Delivery.DEAD and "InvalidAccessKeyId.NotFound" in wrong_key.last_error


def test_sms_without_an_approved_template_code_is_dead_without_calling_the_provider(session, httpserver):
    provider = Provider((200, {"Code": "OK", "BizId": "x"}))
    config = sms_settings(httpserver, provider)
    config = NotifySettings(**{**config.__dict__, "sms_templates": ()})
    (message,) = queue(session, Channel.SMS, ["13800138000"], prefix="sms_no_template")
    dispatcher(session, config, {Channel.SMS: AliyunSmsSender(config, TIMEOUT)}, Clock()).drain()
    (row,) = rows(session, [message])
    assert row.status == Delivery.DEAD and "notify.channel_test (PM_SMS_TEMPLATES)" in row.last_error
    assert provider.requests == []


# ------------------------------------------------------------------ inbox and unconfigured channels


def test_inbox_messages_are_delivered_at_once(session):
    ids = queue(session, Channel.INBOX, [None, None], prefix="inbox")
    clock = Clock()
    dispatcher(session, settings(), {}, clock).drain()
    assert [(row.status, row.delivered_at) for row in rows(session, ids)] == [(Delivery.DELIVERED, clock.now)] * 2


def test_an_unconfigured_channel_goes_to_the_development_outbox_outside_production_and_is_dead_in_it(session):
    unconfigured = NotifySettings()
    senders = {Channel.EMAIL: SmtpSender(None, "", TIMEOUT), Channel.SMS: AliyunSmsSender(unconfigured, TIMEOUT),
               Channel.WECOM: WecomSender((), TIMEOUT)}
    mail, sms, robot = (queue(session, channel, [address], prefix=f"dev_{channel}")[0] for channel, address in (
        (Channel.EMAIL, "wang@example.com"), (Channel.SMS, "13800138000"), (Channel.WECOM, "engineering")))
    assert dispatcher(session, unconfigured, senders, Clock()).drain().development == 3
    for row in rows(session, [mail, sms, robot]):
        assert (row.status, row.provider_message_id, row.last_error) == (Delivery.DELIVERED, "dev", "")
    production = queue(session, Channel.EMAIL, ["li@example.com"], prefix="prod")
    dispatcher(session, unconfigured, senders, Clock(), production=True).drain()
    (row,) = rows(session, production)
    assert row.status == Delivery.DEAD and row.last_error == "email: PM_SMTP_URL is not set (channel not configured)"


def test_the_long_running_dispatcher_waits_out_a_database_outage(session):
    import sqlalchemy as sa

    ids = queue(session, Channel.INBOX, [None], prefix="outage")
    session.commit()
    calls = []

    def sessions():
        calls.append(1)
        if len(calls) == 1:
            raise sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("database restarting"))
        return session_on(session.connection())

    class LastMessage(InboxSender):
        def send(self, message):
            dispatcher.stop()  # this message is the last
            return super().send(message)

    dispatcher = Dispatcher(None, settings(), production=False, senders={Channel.INBOX: LastMessage()},
                            clock=Clock(), sessions=sessions)
    tally = dispatcher.run(poll_interval=0.01)
    assert len(calls) == 2 and tally.delivered == 1
    assert rows(session, ids)[0].status == Delivery.DELIVERED

"""The outbox's rules that need no database: backoff, throttles, settings, the channels' answers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from pm_admin.notify.backoff import next_attempt, retry_delay
from pm_admin.notify.channels.smtp import SmtpSender, message_id
from pm_admin.notify.channels.wecom import MARKDOWN_LIMIT, markdown
from pm_admin.notify.throttle import RateLimit, Throttles
from pm_admin.settings import SettingsError, load_settings

T0 = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def test_backoff_doubles_from_the_base_up_to_the_cap_and_waits_at_least_half_of_each_step():
    rng = random.Random(3)
    for attempts, step in ((1, 30), (2, 60), (3, 120), (4, 240), (8, 3600), (20, 3600)):
        delays = [retry_delay(attempts, 30, 3600, rng) for _ in range(200)]
        assert step / 2 <= min(delays) and max(delays) <= step
        assert max(delays) - min(delays) > step / 4  # jittered, not one value
    assert next_attempt(T0, 1, 30, 3600, random.Random(1)) == T0 + timedelta(
        seconds=retry_delay(1, 30, 3600, random.Random(1)))
    assert next_attempt(T0, 1, 30, 3600, random.Random(1), retry_after=60) == T0 + timedelta(seconds=60)
    assert next_attempt(T0, 9, 30, 3600, random.Random(1), retry_after=60) > T0 + timedelta(seconds=1800)


def test_a_rate_limit_is_a_sliding_minute():
    limit = RateLimit(3)
    for second in (0, 10, 20):
        assert limit.next_free(T0 + timedelta(seconds=second)) is None
        limit.take(T0 + timedelta(seconds=second))
    assert limit.next_free(T0 + timedelta(seconds=30)) == T0 + timedelta(seconds=60)
    assert limit.next_free(T0 + timedelta(seconds=60)) is None  # the first one left the window
    limit.pause(T0 + timedelta(seconds=200))
    assert limit.next_free(T0 + timedelta(seconds=100)) == T0 + timedelta(seconds=200)
    assert RateLimit(0).next_free(T0) is None  # no limit of our own


def test_the_robot_limit_is_per_robot_and_the_channel_limit_covers_all_robots():
    throttles = Throttles({"wecom": 30}, {"wecom": 20})
    for n in range(20):
        assert throttles.next_free("wecom", "wecom:a", T0) is None
        throttles.take("wecom", "wecom:a", T0 + timedelta(milliseconds=n))
    assert throttles.next_free("wecom", "wecom:a", T0 + timedelta(seconds=1)) == T0 + timedelta(seconds=60)
    for _ in range(10):
        assert throttles.next_free("wecom", "wecom:b", T0) is None
        throttles.take("wecom", "wecom:b", T0 + timedelta(seconds=1))
    assert throttles.next_free("wecom", "wecom:c", T0 + timedelta(seconds=2)) == T0 + timedelta(seconds=60)
    throttles.pause("wecom", "wecom:b", T0 + timedelta(seconds=120))
    assert throttles.next_free("wecom", "wecom:b", T0 + timedelta(seconds=90)) == T0 + timedelta(seconds=120)
    assert throttles.next_free("wecom", "wecom:a", T0 + timedelta(seconds=90)) is None


def test_the_message_id_is_the_keys_and_the_senders_domain():
    one = message_id("ticket:12:resolved:owner_account:7:email", "物业 <noreply@pm.example.com>")
    assert one == message_id("ticket:12:resolved:owner_account:7:email", "x <other@pm.example.com>")
    assert one.startswith("<outbox.") and one.endswith("@pm.example.com>")
    assert one != message_id("ticket:12:resolved:owner_account:8:email", "noreply@pm.example.com")


def test_smtp_urls_choose_tls_and_login():
    plain = SmtpSender("smtp://relay.local", "a@b.c", 5)
    assert (plain.host, plain.port, plain.starttls, plain.implicit_tls, plain.username) == ("relay.local", 25, False,
                                                                                             False, None)
    tls = SmtpSender("smtps://notice%40pm.cn:p%40ss@smtp.exmail.qq.com", "a@b.c", 5)
    assert (tls.port, tls.implicit_tls, tls.username, tls.password) == (465, True, "notice@pm.cn", "p@ss")
    assert SmtpSender("smtp://h:587?starttls=1", "a@b.c", 5).starttls


def test_long_robot_messages_are_cut_to_wecoms_limit_in_whole_characters():
    text = markdown("标题", "漏" * 3000)
    assert len(text.encode("utf-8")) <= MARKDOWN_LIMIT and text.endswith("…")
    assert markdown("标题", "短") == "**标题**\n短"


def test_an_unconfigured_sender_says_which_setting_is_missing():
    sender = SmtpSender(None, "", 5)
    assert not sender.configured and "PM_SMTP_URL" in sender.missing


def environ(tmp_path, **values):
    return {"PM_DATA_DIR": str(tmp_path), **values}


def production(tmp_path, **values):
    return {"PM_ENV": "production", "PM_DATA_DIR": str(tmp_path), "PM_SECRET_KEY": "x" * 40,
            "PM_FIELD_KEYS": Fernet.generate_key().decode(), "PM_BLIND_INDEX_KEY": "b" * 40,
            "PM_PUBLIC_ORIGINS": "https://pm.example.com", **values}


def test_channel_settings_are_read_and_nothing_configured_is_the_default(tmp_path):
    notify = load_settings(environ(tmp_path)).notify
    assert (notify.smtp_url, notify.sms_configured, notify.wecom_robots) == (None, False, ())
    assert (notify.max_attempts, notify.wecom_robot_per_minute, notify.lease_seconds) == (8, 20, 300)
    notify = load_settings(environ(
        tmp_path, PM_SMTP_URL="smtp://relay:25", PM_SMS_PROVIDER="aliyun", PM_SMS_ACCESS_KEY_ID="id",
        PM_SMS_ACCESS_KEY_SECRET="secret", PM_SMS_SIGN_NAME="翠湖物业", PM_SMS_ENDPOINT="127.0.0.1:9999",
        PM_SMS_SCHEME="http", PM_SMS_TEMPLATES="notify.channel_test=SMS_1, notify.ticket.registered=SMS_2",
        PM_WECOM_ROBOTS="工程部=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a,客服=http://127.0.0.1:1/x",
        PM_NOTIFY_SMS_PER_MINUTE="100")).notify
    assert notify.smtp_from == "pm_admin <noreply@relay>"
    assert notify.sms_template_code("notify.ticket.registered") == "SMS_2" and notify.sms_per_minute == 100
    assert notify.robot_url("工程部").endswith("key=a") and notify.robot_url("保安") is None


@pytest.mark.parametrize(("values", "named"), [
    ({"PM_SMTP_URL": "http://mail"}, "PM_SMTP_URL"),
    ({"PM_SMS_PROVIDER": "twilio"}, "PM_SMS_PROVIDER"),
    ({"PM_SMS_PROVIDER": "aliyun", "PM_SMS_ACCESS_KEY_ID": "id"}, "PM_SMS_ACCESS_KEY_SECRET"),
    ({"PM_WECOM_ROBOTS": "ops"}, "PM_WECOM_ROBOTS"),
    ({"PM_WECOM_ROBOTS": "ops=ftp://x"}, "PM_WECOM_ROBOTS"),
    ({"PM_WECOM_ROBOTS": "ops=http://a/1,ops=http://a/2"}, "PM_WECOM_ROBOTS"),
    ({"PM_WECOM_ROBOT_PER_MINUTE": "21"}, "PM_WECOM_ROBOT_PER_MINUTE"),
    ({"PM_NOTIFY_SEND_TIMEOUT_SECONDS": "30", "PM_NOTIFY_LEASE_SECONDS": "60"}, "PM_NOTIFY_LEASE_SECONDS"),
])
def test_wrong_channel_settings_stop_the_start_naming_the_setting(tmp_path, values, named):
    with pytest.raises(SettingsError, match=named):
        load_settings(environ(tmp_path, **values))


def test_production_needs_a_sender_address_and_https_for_the_sms_key(tmp_path):
    with pytest.raises(SettingsError, match="PM_SMTP_FROM"):
        load_settings(production(tmp_path, PM_SMTP_URL="smtps://u:p@smtp.exmail.qq.com"))
    sms = {"PM_SMS_PROVIDER": "aliyun", "PM_SMS_ACCESS_KEY_ID": "id", "PM_SMS_ACCESS_KEY_SECRET": "s",
           "PM_SMS_SIGN_NAME": "翠湖物业"}
    with pytest.raises(SettingsError, match="PM_SMS_SCHEME"):
        load_settings(production(tmp_path, PM_SMS_SCHEME="http", **sms))
    assert load_settings(production(tmp_path, **sms)).notify.sms_scheme == "https"

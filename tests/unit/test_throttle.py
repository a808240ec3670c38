from datetime import timedelta

from pm_admin.auth import throttle

SECRET = "s" * 40


def test_delay_is_free_then_doubles_then_caps():
    bucket = throttle.ACCOUNT
    free = bucket.free_failures
    assert throttle.delay_after(free - 1, bucket) == timedelta(0)
    assert throttle.delay_after(free, bucket) == timedelta(seconds=1)
    assert throttle.delay_after(free + 1, bucket) == timedelta(seconds=2)
    assert throttle.delay_after(free + 3, bucket) == timedelta(seconds=8)
    assert throttle.delay_after(free + 50, bucket) == bucket.max_delay


def test_device_token_is_bound_to_its_account():
    token = throttle.issue_device_token(SECRET, "alice")
    device = throttle.device_id_for(SECRET, token, "alice")
    assert device is not None
    assert throttle.device_id_for(SECRET, token, "bob") is None
    assert throttle.device_id_for("other-secret" * 4, token, "alice") is None


def test_tampered_or_malformed_device_tokens_are_ignored():
    token = throttle.issue_device_token(SECRET, "alice")
    name, nonce, signature = token.split(".")
    assert throttle.device_id_for(SECRET, f"{name}.{nonce}x.{signature}", "alice") is None
    for junk in (None, "", "a.b", "!!.??.##", "a.b.c.d"):
        assert throttle.device_id_for(SECRET, junk, "alice") is None


def test_known_device_replaces_the_account_and_client_buckets():
    attempt = throttle.login_attempt(client_ip="10.0.0.1", username="alice", device_id="dev1")
    assert [bucket for bucket, _ in throttle.buckets_of(attempt)] == [throttle.DEVICE]
    attempt = throttle.login_attempt(client_ip="10.0.0.1", username="alice", device_id=None)
    assert [bucket for bucket, _ in throttle.buckets_of(attempt)] == [throttle.ACCOUNT, throttle.CLIENT]


def test_a_password_re_check_counts_against_the_account_only():
    attempt = throttle.password_check_attempt("alice")
    assert [bucket for bucket, _ in throttle.buckets_of(attempt)] == [throttle.ACCOUNT]


def test_each_account_keeps_its_own_device_cookie_on_a_shared_pc():
    from pm_admin.core.guard import device_cookie_name

    assert device_cookie_name("alice") == device_cookie_name(" Alice ")
    assert device_cookie_name("alice") != device_cookie_name("bob")
    assert device_cookie_name("张三").startswith("pm_device_") and device_cookie_name("张三").isascii()

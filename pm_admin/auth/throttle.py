"""Growing delays after failed logins, per client address and per account.

An attacker must not be able to lock a real user out for good, so the per-account bucket
only applies to browsers that are *not* a known device of that account (a device cookie
set by an earlier successful login, after OWASP's "device cookies"). A known device has a
bucket of its own that only its holder can fill. Every delay is capped and counters decay.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session

from pm_admin.auth.models import LoginThrottle
from pm_admin.core.clock import utcnow


@dataclasses.dataclass(frozen=True)
class Bucket:
    prefix: str
    free_failures: int
    max_delay: timedelta


CLIENT = Bucket("ip", free_failures=10, max_delay=timedelta(minutes=15))
ACCOUNT = Bucket("acct", free_failures=5, max_delay=timedelta(minutes=15))
DEVICE = Bucket("dev", free_failures=5, max_delay=timedelta(minutes=15))
DECAY_AFTER = timedelta(hours=1)
BASE_DELAY = timedelta(seconds=1)


def delay_after(failures: int, bucket: Bucket) -> timedelta:
    """0 until the free failures are used up, then 1 s, 2 s, 4 s, … capped."""
    excess = failures - bucket.free_failures
    if excess < 0:
        return timedelta(0)
    return min(BASE_DELAY * (2 ** min(excess, 20)), bucket.max_delay)


def _key(bucket: Bucket, value: str) -> str:
    return f"{bucket.prefix}:{value}"[:160]


def throttle_keys(*, client_ip: str, username: str, device_id: str | None) -> list[tuple[Bucket, str]]:
    keys = [(CLIENT, _key(CLIENT, client_ip or "unknown"))]
    if device_id:
        keys.append((DEVICE, _key(DEVICE, device_id)))
    else:
        keys.append((ACCOUNT, _key(ACCOUNT, username)))
    return keys


def seconds_to_wait(session: Session, keys: list[tuple[Bucket, str]], now: datetime | None = None) -> int:
    now = now or utcnow()
    wait = 0.0
    for _bucket, key in keys:
        row = session.get(LoginThrottle, key)
        if row and row.blocked_until and row.blocked_until > now:
            wait = max(wait, (row.blocked_until - now).total_seconds())
    return int(wait + 0.999)


def register_failure(session: Session, keys: list[tuple[Bucket, str]], now: datetime | None = None) -> None:
    now = now or utcnow()
    for bucket, key in keys:
        row = session.get(LoginThrottle, key) or LoginThrottle(key=key)
        if row.last_failure_at and now - row.last_failure_at > DECAY_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        delay = delay_after(row.failures, bucket)
        row.blocked_until = now + delay if delay else None
        session.add(row)


def register_success(session: Session, keys: list[tuple[Bucket, str]]) -> None:
    # The client-address bucket is left alone: logging into one's own account must not
    # reset the counter an attacker is filling against other accounts.
    for bucket, key in keys:
        if bucket is CLIENT:
            continue
        row = session.get(LoginThrottle, key)
        if row is not None:
            session.delete(row)


# Device cookies: "<base64url(username)>.<nonce>.<hmac>" signed with the app secret.


def _sign(secret: str, username: str, nonce: str) -> str:
    mac = hmac.new(secret.encode(), f"device|{username}|{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def issue_device_token(secret: str, username: str) -> str:
    nonce = secrets.token_urlsafe(16)
    name = base64.urlsafe_b64encode(username.encode()).decode().rstrip("=")
    return f"{name}.{nonce}.{_sign(secret, username, nonce)}"


def device_id_for(secret: str, token: str | None, username: str) -> str | None:
    """The device id if ``token`` is a valid device cookie of ``username``, else None."""
    if not token or token.count(".") != 2:
        return None
    name, nonce, signature = token.split(".")
    try:
        token_user = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if token_user != username or not hmac.compare_digest(signature, _sign(secret, username, nonce)):
        return None
    return hashlib.sha256(nonce.encode()).hexdigest()[:32]

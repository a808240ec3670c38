"""Growing delays after failed logins: per account, per known device and per client address.

Every delay is capped (15 min) and a counter starts again after an hour without failures.

* Account: a browser without a device cookie of the account waits on, and fills, the
  account's bucket. An attacker can fill it too, but cannot lock the owner out for good:
* Known device: a browser holding a device cookie of the account (set by an earlier
  successful login, after OWASP's "device cookies") uses a bucket of its own instead, which
  only its holder can fill; neither the account nor the client-address bucket holds it up.
* Client address (from X-Forwarded-For with PM_TRUSTED_PROXY_HOPS, see guard.client_address):
  attempts without a device cookie also fill the bucket of their address, which stops one
  address spraying guesses over many accounts. It allows more failures, since a whole office
  may share one address. A successful login removes from it only the failures that address
  made against that same account (its owner's typos), so the next colleague is not punished
  for them, while failures against other accounts stay: a sprayer cannot wash its record by
  signing into an account of its own.
* Re-checking the current password of a signed-in user counts against the account alone.
* An administrator can clear an account (``clear_account``): its account and device buckets
  and its share of every client-address bucket.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

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
# Not a bucket: how many of a client address's failures were against one account.
CLIENT_SHARE_PREFIX = "ipacct"
DECAY_AFTER = timedelta(hours=1)
BASE_DELAY = timedelta(seconds=1)


def delay_after(failures: int, bucket: Bucket) -> timedelta:
    """0 until the free failures are used up, then 1 s, 2 s, 4 s, … capped."""
    excess = failures - bucket.free_failures
    if excess < 0:
        return timedelta(0)
    return min(BASE_DELAY * (2 ** min(excess, 20)), bucket.max_delay)


def _key(prefix: str, *parts: str) -> str:
    # Space-separated: usernames of real accounts, addresses and device ids contain none.
    return f"{prefix}:{' '.join(parts)}"[:160]


@dataclasses.dataclass(frozen=True)
class Attempt:
    """Whose password is being guessed, and from where (see the module docstring)."""

    username: str
    client_ip: str | None = None  # None: not counted per address (known device, password re-check)
    device_id: str | None = None


def login_attempt(*, client_ip: str, username: str, device_id: str | None) -> Attempt:
    if device_id:
        return Attempt(username, device_id=device_id)
    return Attempt(username, client_ip=client_ip or "unknown")


def password_check_attempt(username: str) -> Attempt:
    return Attempt(username)


def buckets_of(attempt: Attempt) -> list[tuple[Bucket, str]]:
    if attempt.device_id:
        return [(DEVICE, _key(DEVICE.prefix, attempt.username, attempt.device_id))]
    keys = [(ACCOUNT, _key(ACCOUNT.prefix, attempt.username))]
    if attempt.client_ip is not None:
        keys.append((CLIENT, _key(CLIENT.prefix, attempt.client_ip)))
    return keys


def _client_share_key(attempt: Attempt) -> str | None:
    if attempt.client_ip is None:
        return None
    return _key(CLIENT_SHARE_PREFIX, attempt.username, attempt.client_ip)


def seconds_to_wait(session: Session, attempt: Attempt, now: datetime | None = None) -> int:
    now = now or utcnow()
    wait = 0.0
    for _bucket, key in buckets_of(attempt):
        row = session.get(LoginThrottle, key)
        if row and row.blocked_until and row.blocked_until > now:
            wait = max(wait, (row.blocked_until - now).total_seconds())
    return int(wait + 0.999)


def _count_failure(session: Session, key: str, now: datetime) -> LoginThrottle:
    row = session.get(LoginThrottle, key) or LoginThrottle(key=key)
    if row.last_failure_at and now - row.last_failure_at > DECAY_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    session.add(row)
    return row


def register_failure(session: Session, attempt: Attempt, now: datetime | None = None) -> None:
    now = now or utcnow()
    for bucket, key in buckets_of(attempt):
        row = _count_failure(session, key, now)
        delay = delay_after(row.failures, bucket)
        row.blocked_until = now + delay if delay else None
    if share_key := _client_share_key(attempt):
        _count_failure(session, share_key, now)


def _forgive_client_share(session: Session, share: LoginThrottle, client_ip: str, now: datetime) -> None:
    """Take one account's failures out of its client-address bucket, and drop the tally."""
    session.delete(share)
    # An older tally may predate the bucket's own restart: then it no longer counts there.
    if share.last_failure_at is None or now - share.last_failure_at > DECAY_AFTER:
        return
    client = session.get(LoginThrottle, _key(CLIENT.prefix, client_ip))
    if client is None:
        return
    client.failures = max(0, client.failures - share.failures)
    if client.failures == 0:
        session.delete(client)
        return
    delay = delay_after(client.failures, CLIENT)
    client.blocked_until = client.last_failure_at + delay if delay else None
    session.add(client)


def register_success(session: Session, attempt: Attempt, now: datetime | None = None) -> None:
    now = now or utcnow()
    for bucket, key in buckets_of(attempt):
        row = session.get(LoginThrottle, key)
        if row is not None and bucket is not CLIENT:
            session.delete(row)
    if (share_key := _client_share_key(attempt)) and (share := session.get(LoginThrottle, share_key)):
        _forgive_client_share(session, share, attempt.client_ip, now)


def _rows_of_account(session: Session, prefix: str, username: str) -> list[tuple[LoginThrottle, str]]:
    """Rows keyed ``<prefix>:<username> <rest>``, with their ``rest``."""
    head = _key(prefix, username)
    rows = session.exec(
        select(LoginThrottle).where(col(LoginThrottle.key).startswith(f"{head} ", autoescape=True))
    ).all()
    found = []
    for row in rows:
        row_head, _, rest = row.key.rpartition(" ")
        if row_head == head:  # not a typed name that merely starts with this one
            found.append((row, rest))
    return found


def clear_account(session: Session, username: str, now: datetime | None = None) -> int:
    """Forget an account's failed logins everywhere; returns how many counters were cleared."""
    now = now or utcnow()
    cleared = 0
    if (account := session.get(LoginThrottle, _key(ACCOUNT.prefix, username))) is not None:
        session.delete(account)
        cleared += 1
    for device, _device_id in _rows_of_account(session, DEVICE.prefix, username):
        session.delete(device)
        cleared += 1
    for share, client_ip in _rows_of_account(session, CLIENT_SHARE_PREFIX, username):
        _forgive_client_share(session, share, client_ip, now)
        cleared += 1
    return cleared


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

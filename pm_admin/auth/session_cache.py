"""Resolved sessions, remembered for a few seconds, so the guard does not read the database on every event.

An entry is used only while all of these hold: it is younger than ``MAX_AGE``; no sign-out, password change, role,
scope or community choice was committed in this process since (``change_watch`` topic ``auth``); the session is
not due to expire; and the event would not move the idle clock (a touch is a write, made through the database).
Another worker's sign-out reaches this one within ``MAX_AGE`` (5 s): the cookie of a signed-out browser is gone
at once, so that is how long a stolen copy of it could still be used against another worker.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from sqlalchemy import inspect

from pm_admin.auth.models import LoginSession, RolePermission, User, UserCommunity, UserRole
from pm_admin.core import change_watch
from pm_admin.core.permissions import ClientInfo, Principal

MAX_AGE = timedelta(seconds=5)
MAX_ENTRIES = 10_000
TOPIC = "auth"


@dataclasses.dataclass(frozen=True)
class _Entry:
    principal: Principal
    created_at: datetime
    last_seen_at: datetime
    cached_at: datetime
    generation: int


_entries: OrderedDict[str, _Entry] = OrderedDict()
_lock = threading.Lock()


def _session_decided(login: LoginSession) -> bool:
    """A session row's change that matters to who it is: revoked, or the header's community picked; not the
    idle clock's touch."""
    state = inspect(login)
    return any(state.attrs[name].history.has_changes() for name in ("revoked_at", "current_community_id",
                                                                     "user_id"))


def install() -> None:
    for model in (User, UserRole, UserCommunity, RolePermission):
        change_watch.watch(TOPIC, model)
    change_watch.watch(TOPIC, LoginSession, counts=_session_decided)


def lookup(digest: str, client: ClientInfo, now: datetime, *, touches: bool, touch_interval: timedelta,
           expiry_reason) -> Principal | None:
    """The remembered principal for this event's client, or None to resolve it from the database."""
    with _lock:
        entry = _entries.get(digest)
    if entry is None or entry.generation != change_watch.generation(TOPIC) or now - entry.cached_at > MAX_AGE:
        return None
    if expiry_reason(entry.created_at, entry.last_seen_at, now) or (touches and now - entry.last_seen_at >
                                                                     touch_interval):
        return None
    return dataclasses.replace(entry.principal, client=client)


def remember(digest: str, principal: Principal, login: LoginSession, now: datetime, generation: int) -> None:
    """``generation``: the topic's number read before the database was, so a change committed meanwhile wins."""
    entry = _Entry(dataclasses.replace(principal, client=ClientInfo()), login.created_at, login.last_seen_at, now,
                   generation)
    with _lock:
        _entries[digest] = entry
        _entries.move_to_end(digest)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)

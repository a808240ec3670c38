"""Who calls the API: an owner (the bearer is a portal session token from ``POST /auth/token``) or an integration
(a ``pmi_`` token an admin issued). Each caller has a request budget per minute (per worker process)."""

from __future__ import annotations

import collections
import dataclasses
import threading
import time

from fastapi import Request

from pm_admin.api import tokens
from pm_admin.api.errors import ApiRefusal
from pm_admin.auth.http import client_of
from pm_admin.core.db import unit_of_work
from pm_admin.core.permissions import OwnerPrincipal, Principal
from pm_admin.portal.services import sessions
from pm_admin.settings import get_settings

WINDOW_SECONDS = 60.0


class RateLimiter:
    """A sliding window of request times per caller: beyond the budget, 429 with the seconds to wait."""

    def __init__(self) -> None:
        self._calls: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def take(self, caller: str, per_minute: int, now: float | None = None) -> int:
        """0 when allowed (and counted), else the seconds until the next request may pass."""
        now = time.monotonic() if now is None else now
        with self._lock:
            calls = self._calls[caller]
            while calls and now - calls[0] >= WINDOW_SECONDS:
                calls.popleft()
            if len(calls) >= per_minute:
                return max(1, int(WINDOW_SECONDS - (now - calls[0]) + 0.999))
            calls.append(now)
            return 0


LIMITER = RateLimiter()


def bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiRefusal(401, "error.not_signed_in", headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


def _within_budget(caller: str, per_minute: int) -> None:
    if wait := LIMITER.take(caller, per_minute):
        raise ApiRefusal(429, "api.too_many_requests", headers={"Retry-After": str(wait)}, seconds=wait)


@dataclasses.dataclass(frozen=True)
class OwnerCaller:
    owner: OwnerPrincipal
    token: str

    @property
    def key(self) -> str:
        return f"owner:{self.owner.account_id}"


def owner_caller(request: Request) -> OwnerCaller:
    token = bearer(request)
    if token.startswith(tokens.TOKEN_PREFIX):
        raise ApiRefusal(403, "api.owner_endpoint")  # an integration token never acts as an owner
    with unit_of_work() as session:
        owner = sessions.resolve(session, token, client_of(request))
    if owner is None:
        raise ApiRefusal(401, "error.not_signed_in", headers={"WWW-Authenticate": "Bearer"})
    _within_budget(f"owner:{owner.account_id}", get_settings().api_owner_per_minute)
    return OwnerCaller(owner, token)


@dataclasses.dataclass(frozen=True)
class IntegrationCaller:
    token_id: int
    principal: Principal

    @property
    def key(self) -> str:
        return f"token:{self.token_id}"


def integration_caller(request: Request) -> IntegrationCaller:
    token = bearer(request)
    if not token.startswith(tokens.TOKEN_PREFIX):
        raise ApiRefusal(403, "api.integration_endpoint")  # an owner's session never reaches staff data
    with unit_of_work() as session:
        found = tokens.resolve(session, token, client_of(request))
    if found is None:
        raise ApiRefusal(401, "error.not_signed_in", headers={"WWW-Authenticate": "Bearer"})
    _within_budget(f"token:{found.token_id}", found.per_minute)
    return IntegrationCaller(found.token_id, found.principal)


def require_scope(caller: IntegrationCaller, permission: str) -> None:
    if not caller.principal.has(permission):
        raise ApiRefusal(403, "api.scope_missing")

"""Server-side enforcement for every event: one middleware plus handler markers.

* Every event handler of an app state must be declared ``@requires(permission)`` or
  ``@public``; anything else (``setvar``, a forgotten handler) is refused.
* Handlers fired by a timer rather than the user are declared ``@requires(..., poll=True)``:
  they run under the same checks but do not count as activity for the idle timeout.
* The user comes from the HttpOnly session cookie of the websocket connection (headers
  the server read itself), never from state the client can set or from the state token.
* When the session behind a state token changes (logout, expiry, another browser reusing
  the token) every protected state is reset before the event runs, so a hydrate never
  sends an earlier user's data.
* Domain errors raised inside a handler become a toast; refusals are audited.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import inspect
import ipaddress
import logging
import typing
from collections.abc import Callable
from contextvars import ContextVar
from http.cookies import CookieError, SimpleCookie
from typing import Any

import reflex as rx
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from pm_admin.core.errors import ConcurrencyConflict, DomainError, PermissionDenied
from pm_admin.core.i18n import DEFAULT_LANGUAGE, translate
from pm_admin.core.permissions import ClientInfo, OwnerPrincipal, Principal
from pm_admin.core.refusals import audit_refusal
from pm_admin.settings import get_settings

logger = logging.getLogger(__name__)

SESSION_COOKIE = "pm_session"
PORTAL_COOKIE = "pm_portal"  # an owner's session: never opens a staff handler, as a staff session never opens the portal
DEVICE_COOKIE_PREFIX = "pm_device_"


def device_cookie_name(username: str) -> str:
    """One device cookie per account, so colleagues sharing a front-desk PC each keep theirs."""
    return DEVICE_COOKIE_PREFIX + hashlib.sha256(username.strip().lower().encode()).hexdigest()[:16]
APP_MODULE_PREFIX = "pm_admin."

_principal: ContextVar[Principal | None] = ContextVar("pm_principal", default=None)
_owner: ContextVar[OwnerPrincipal | None] = ContextVar("pm_owner", default=None)
_client: ContextVar[ClientInfo] = ContextVar("pm_client", default=ClientInfo())


@dataclasses.dataclass(frozen=True)
class Guard:
    permission: str | tuple[str, ...] | None = None  # several: holding any one of them is enough
    public: bool = False
    # Still allowed while the user must change a temporary password.
    before_password_change: bool = False
    # Fired by a timer, not the user: does not keep the session from idling out.
    poll: bool = False
    # An owner's handler (the portal): needs a signed-in owner, and ``permission`` is a portal permission.
    owner: bool = False

    def allows(self, principal: Principal | OwnerPrincipal) -> bool:
        needed = (self.permission,) if isinstance(self.permission, str) else self.permission or ()
        return not needed or any(principal.has(permission) for permission in needed)


def bind_event(principal: Principal | None, client: ClientInfo, owner: OwnerPrincipal | None = None) -> None:
    """The middleware names the event's user (staff or owner) and client before the handler runs."""
    _principal.set(principal)
    _owner.set(owner)
    _client.set(client)


# ``@requires(PAGE)``: a handler a kit mixin gives many states (filters, paging) asks for the permission its
# state declares in ``_PAGE_PERMISSION`` (the permission of viewing that page). A state without one refuses it.
PAGE = "@page"


def page_guard(guard: Guard | None, state_cls: type | None) -> Guard | None:
    """The guard with PAGE replaced by the permission ``state_cls`` declares (unchanged when not PAGE)."""
    if guard is None or guard.permission != PAGE:
        return guard
    permission = getattr(state_cls, "_PAGE_PERMISSION", None)
    return dataclasses.replace(guard, permission=permission) if permission else guard


def current_principal() -> Principal | None:
    return _principal.get()


def current_owner() -> OwnerPrincipal | None:
    return _owner.get()


def current_client() -> ClientInfo:
    return _client.get()


# ---------------------------------------------------------------- handler markers


def _refusal_events(state: Any, error: DomainError) -> Any:
    if isinstance(error, PermissionDenied):
        audit_refusal(current_principal(), action="guard.refused_in_handler", reason=error.key,
                      client=current_client())
    language = getattr(state, "lang", DEFAULT_LANGUAGE)
    return rx.toast.error(translate(error.key, language, **error.params), duration=6000)


def _as_domain_error(error: Exception) -> DomainError | None:
    if isinstance(error, DomainError):
        return error
    if isinstance(error, StaleDataError):
        return ConcurrencyConflict()
    if isinstance(error, IntegrityError):  # two people saved the same unique value at once; the service's check lost
        return DomainError("error.saved_meanwhile")
    return None


def _wrap(fn: Callable) -> Callable:
    """Turn domain errors raised by the handler into a toast (sync, async or generators); a plain handler becomes
    an async one that runs in a worker thread."""
    if inspect.isasyncgenfunction(fn):
        @functools.wraps(fn)
        async def async_gen_wrapper(self, *args, **kwargs):
            try:
                async for item in fn(self, *args, **kwargs):
                    yield item
            except Exception as error:  # noqa: BLE001 - only domain errors are swallowed
                if (domain := _as_domain_error(error)) is None:
                    raise
                yield _refusal_events(self, domain)
        return async_gen_wrapper
    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def async_wrapper(self, *args, **kwargs):
            try:
                return await fn(self, *args, **kwargs)
            except Exception as error:  # noqa: BLE001
                if (domain := _as_domain_error(error)) is None:
                    raise
                return _refusal_events(self, domain)
        return async_wrapper
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def gen_wrapper(self, *args, **kwargs):
            try:
                yield from fn(self, *args, **kwargs)
            except Exception as error:  # noqa: BLE001
                if (domain := _as_domain_error(error)) is None:
                    raise
                yield _refusal_events(self, domain)
        return gen_wrapper

    def run(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except Exception as error:  # noqa: BLE001
            if (domain := _as_domain_error(error)) is None:
                raise
            return _refusal_events(self, domain)

    @functools.wraps(fn)
    async def off_loop_wrapper(self, *args, **kwargs):
        # A plain handler's database and CPU work runs in a worker thread (with this event's context), so the event
        # loop serves other users meanwhile; Reflex still runs this client's events one at a time.
        return await asyncio.to_thread(run, self, *args, **kwargs)
    return off_loop_wrapper


def requires(permission: str | tuple[str, ...] | None = None, *, before_password_change: bool = False,
             poll: bool = False) -> Callable:
    """Declare a handler of a protected state: signed in, and holding ``permission`` (any one of several) if given.

    Community scope depends on the record, so services check it with the principal.
    ``poll=True`` marks a handler an interval fires on its own (see the module docstring).
    """
    def decorate(fn: Callable) -> Callable:
        wrapped = _wrap(fn)
        wrapped.__pm_guard__ = Guard(permission=permission, before_password_change=before_password_change,
                                     poll=poll)
        return wrapped
    return decorate


def requires_owner(permission: str | None = None, *, poll: bool = False) -> Callable:
    """Declare a handler of the owner portal: a signed-in owner holding the portal ``permission``. Rooms depend on
    the record, so services check them with the owner principal."""
    def decorate(fn: Callable) -> Callable:
        wrapped = _wrap(fn)
        wrapped.__pm_guard__ = Guard(permission=permission, poll=poll, owner=True)
        return wrapped
    return decorate


def public(fn: Callable) -> Callable:
    """Declare a handler anyone may call (login form, language switch)."""
    wrapped = _wrap(fn)
    wrapped.__pm_guard__ = Guard(public=True)
    return wrapped


def guard_of(handler: Any) -> Guard | None:
    return getattr(getattr(handler, "fn", None), "__pm_guard__", None)


def protected_var(permission: str | None = None) -> Callable:
    """A computed var that yields its empty value unless the event's user may see it.

    Reflex sends computed vars on hydrate, also to an anonymous client; this keeps data
    out of that snapshot. Never cached, because a cache would outlive the user.
    """
    def decorate(fget: Callable) -> rx.Var:
        empty = _empty_value(typing.get_type_hints(fget).get("return"))

        @functools.wraps(fget)
        def guarded(self):
            principal = current_principal()
            if principal is None or (permission and not principal.has(permission)):
                return empty
            return fget(self)

        guarded.__pm_guard__ = Guard(permission=permission)
        return rx.var(guarded, cache=False)
    return decorate


def _empty_value(annotation: Any) -> Any:
    origin = typing.get_origin(annotation) or annotation
    for kind, value in ((list, []), (dict, {}), (str, ""), (bool, False), (int, 0), (float, 0.0)):
        if origin is kind:
            return value
    return None


# ---------------------------------------------------------------- request facts


def request_cookies(router_data: dict) -> dict[str, str]:
    headers = router_data.get("headers") or {}
    raw = headers.get("cookie") or headers.get("Cookie") or ""
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def client_address(peer: str, forwarded_for: str | None, trusted_hops: int) -> str:
    """The client's address, for throttling and the audit log (websocket and HTTP routes alike).

    Each of the ``trusted_hops`` reverse proxies in front of the app appends the address it
    saw to X-Forwarded-For, so the entry ``trusted_hops`` from the right was written by the
    outermost one; everything left of it is whatever the client claimed. With 0 hops, or a
    header shorter than the chain (the request did not come through it), the socket peer is
    the client.
    """
    entries = [entry.strip() for entry in (forwarded_for or "").split(",") if entry.strip()]
    if trusted_hops and len(entries) >= trusted_hops:
        try:
            return str(ipaddress.ip_address(entries[-trusted_hops]))
        except ValueError:  # e.g. nginx's "unknown": the proxy is the best we know
            pass
    return peer[:64]


def client_info(router_data: dict) -> ClientInfo:
    headers = router_data.get("headers") or {}
    # Reflex's "ip" is the socket peer (its own trusted_proxy_hops is left at 0).
    ip = client_address(str(router_data.get("ip") or ""), headers.get("x-forwarded-for"),
                        get_settings().trusted_proxy_hops)
    return ClientInfo(ip=ip, user_agent=str(headers.get("user-agent") or headers.get("user_agent") or "")[:256])


# ---------------------------------------------------------------- middleware


@dataclasses.dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""
    redirect_to_login: bool = False
    portal: bool = False  # an owner's handler: the portal's sign-in, not the staff one


# Reflex's own events a browser sends. Every other handler of Reflex's internal states (their ``setvar``)
# and every name no state has is refused: none of them has a use for a client.
REFLEX_EVENTS = frozenset({"hydrate", "hydrate_and_load", "on_load_internal", "update_vars_internal",
                           "set_is_hydrated", "handle_frontend_exception"})
FRONTEND_EXCEPTION = "handle_frontend_exception"
SIGNED_OUT_REPORT = "frontend_report_signed_out"


def judge(guard: Guard | None, is_app_state: bool, principal: Principal | None, handler_name: str = "",
          handler_exists: bool = True, owner: OwnerPrincipal | None = None) -> Verdict:
    if not handler_exists:
        return Verdict(False, "unknown_handler")
    if not is_app_state:
        if handler_name not in REFLEX_EVENTS:
            return Verdict(False, "undeclared_handler")
        if handler_name == FRONTEND_EXCEPTION and principal is None:
            return Verdict(False, SIGNED_OUT_REPORT)  # anyone could fill the server log with text of their choosing
        return Verdict(True)
    if guard is None or guard.permission == PAGE:  # PAGE is resolved against the state first (page_guard)
        return Verdict(False, "undeclared_handler")
    if guard.public:
        return Verdict(True)
    if guard.owner:
        if owner is None:
            return Verdict(False, "not_signed_in", redirect_to_login=True, portal=True)
        if not guard.allows(owner):
            return Verdict(False, "missing_permission", portal=True)
        return Verdict(True)
    if principal is None:
        return Verdict(False, "not_signed_in", redirect_to_login=True)
    if principal.must_change_password and not guard.before_password_change:
        return Verdict(False, "password_change_required")
    if not guard.allows(principal):
        return Verdict(False, "missing_permission")
    return Verdict(True)

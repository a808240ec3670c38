"""The guard middleware: runs before every event handler (the rules are ``core.guard``'s docstring).

It resolves the event's session to a principal (``auth``), binds it for the handler, resets protected states when
the session behind a state token changed, judges the handler's declaration, and audits and answers refusals.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import reflex as rx
from reflex.middleware import Middleware
from reflex_base.event import Event
from reflex_base.event.context import EventContext

from pm_admin.auth.services import remembered_session, resolve_session
from pm_admin.core.clock import utcnow
from pm_admin.core.db import unit_of_work
from pm_admin.core.event_args import payload_problem
from pm_admin.core.guard import (
    APP_MODULE_PREFIX,
    FRONTEND_EXCEPTION,
    PORTAL_COOKIE,
    SESSION_COOKIE,
    SIGNED_OUT_REPORT,
    Verdict,
    bind_event,
    client_info,
    guard_of,
    judge,
    page_guard,
    request_cookies,
)
from pm_admin.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from pm_admin.core.permissions import OwnerPrincipal, Principal
from pm_admin.core.refusals import RefusalBudget, audit_refusal
from pm_admin.portal.services import sessions as portal_sessions

# Error reports a signed-in user's browser may write to the server log per window; the rest are dropped.
_frontend_reports = RefusalBudget(limit=20)


def _resolve_handler(root_cls: type[rx.State], event_name: str) -> tuple[type | None, Any]:
    state_path, _, handler_name = event_name.rpartition(".")
    try:
        state_cls = root_cls.get_class_substate(state_path)
    except ValueError:
        return None, None
    return state_cls, state_cls.event_handlers.get(handler_name)


def _page_path(router_data: dict) -> str:
    path = str(router_data.get("asPath") or router_data.get("pathname") or "/").split("?")[0]
    return "/" if path in ("", "/index") else path


class GuardMiddleware(Middleware):
    """Runs before every event handler; see the module docstring."""

    async def preprocess(self, app, state, event: Event):
        from pm_admin.core.base_state import AppState, reset_portal_states, reset_protected_states

        root = state._get_root_state()
        # Only the event's own connection counts: an event that arrives without it (Reflex's HTTP
        # upload endpoint, which trusts a client-chosen token) must not borrow the headers a
        # socket of that token left in the state, or anyone knowing a token could act as its user.
        router_data = EventContext.get().router_data or {}
        client = client_info(router_data)
        cookies = request_cookies(router_data)
        token, portal_token = cookies.get(SESSION_COOKIE), cookies.get(PORTAL_COOKIE)
        state_cls, handler = _resolve_handler(type(root), event.name)
        guard = page_guard(guard_of(handler), state_cls)
        activity = guard is None or not guard.poll
        principal = remembered_session(token, client, counts_as_activity=activity)
        if principal is None and token:  # off the event loop: other users' events go on meanwhile
            principal = await asyncio.to_thread(self._resolve, token, client, activity)
        owner = await asyncio.to_thread(self._resolve_owner, portal_token, client) if portal_token else None
        bind_event(principal, client, owner)

        app_state = await root.get_state(AppState)
        owner_session_id = owner.session_id if owner else None
        if app_state._bound_portal_session_id != owner_session_id:
            if app_state._bound_portal_session_id is not None:
                await reset_portal_states(root)
            app_state._bound_portal_session_id = owner_session_id
        session_id = principal.session_id if principal else None
        if app_state._bound_session_id != session_id:
            # Protected states gain data only under a session (their handlers refuse anonymous clients), so a tree
            # never bound to one (a new tab) has nothing to clear.
            if app_state._bound_session_id is not None:
                await reset_protected_states(root)
            app_state._bound_session_id = session_id
        if app_state.lang not in LANGUAGES:  # the storage sync takes any value a client sends
            app_state.lang = DEFAULT_LANGUAGE

        is_app_state = state_cls is None or state_cls.__module__.startswith(APP_MODULE_PREFIX)
        handler_name = event.name.rpartition(".")[2]
        verdict = judge(guard, is_app_state, principal, handler_name, handler_exists=state_cls is None or
                        handler is not None, owner=owner)
        if verdict.allowed and (problem := payload_problem(handler.fn, event.payload) if handler else None):
            verdict = Verdict(False, f"bad_arguments:{problem}")
        if verdict.allowed:
            if handler_name == FRONTEND_EXCEPTION and not is_app_state:
                return self._budget_frontend_report(principal)
            return None
        audit_refusal(principal, action=f"guard.refused:{handler_name}"[:64], reason=verdict.reason,
                      client=client)
        return self._refusal(app_state.lang, verdict, router_data)

    @staticmethod
    def _resolve(token: str, client, activity: bool) -> Principal | None:
        with unit_of_work() as session:
            return resolve_session(session, token=token, client=client, counts_as_activity=activity)

    @staticmethod
    def _resolve_owner(token: str, client) -> OwnerPrincipal | None:
        with unit_of_work() as session:
            return portal_sessions.resolve(session, token, client)

    @staticmethod
    def _budget_frontend_report(principal: Principal):
        """Past its budget a user's browser reports go nowhere (not even the log); the answer is empty."""
        from reflex.state import StateUpdate

        if _frontend_reports.take(f"user:{principal.user_id}", utcnow()).record:
            return None
        return StateUpdate(delta={}, events=[])

    @staticmethod
    def _refusal(language: str, verdict: Verdict, router_data: dict):
        from reflex.state import StateUpdate

        if verdict.reason == SIGNED_OUT_REPORT:
            return StateUpdate(delta={}, events=[])
        if verdict.redirect_to_login:
            login = "/portal/login" if verdict.portal else "/login"
            spec = rx.redirect(f"{login}?next={quote(_page_path(router_data), safe='/')}")
        elif verdict.reason == "password_change_required":
            spec = rx.redirect("/account/password")
        elif verdict.reason.startswith("bad_arguments"):
            spec = rx.toast.error(translate("error.invalid_request", language), duration=6000)
        else:
            spec = rx.toast.error(translate("error.permission_denied", language), duration=6000)
        return StateUpdate(delta={}, events=Event.from_event_type([spec]))

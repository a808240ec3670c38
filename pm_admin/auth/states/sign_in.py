"""Sign-in and password change (thin: check, call, show)."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from pm_admin.auth import services
from pm_admin.auth.redirects import safe_next
from pm_admin.core.base_state import AppState, ProtectedState
from pm_admin.core.db import in_worker_thread
from pm_admin.core.guard import current_client, device_cookie_name, public, request_cookies, requires
from pm_admin.core.i18n import translate


def session_script(ticket: str, next_path: str) -> str:
    """Trade the one-time ticket for the HttpOnly cookie, then load the app with it."""
    return (
        "fetch('/auth/session', {method: 'POST', credentials: 'same-origin', "
        "headers: {'Content-Type': 'application/json'}, "
        f"body: JSON.stringify({{ticket: {json.dumps(ticket)}}})}})"
        f".then(r => {{ if (r.ok) window.location.replace({json.dumps(next_path)}); "
        "else window.location.reload(); })"
    )


class LoginState(AppState):
    error: str = ""
    busy: bool = False

    @public
    def prepare(self):
        """A fresh form every time the login page opens (also after logout)."""
        self.error, self.busy = "", False

    @public
    async def login(self, form: dict[str, Any]):
        username = str(form.get("username", "")).strip()
        password = str(form.get("password", ""))
        if not username or not password:
            self.error = translate("auth.fill_both", self.lang)
            return
        # The button shows progress at once: the password check (bcrypt) and the page after it take a while.
        self.error, self.busy = "", True
        yield
        result = await in_worker_thread(services.authenticate, username=username, password=password, client=current_client(),
                                device_token=request_cookies(self.router_data).get(device_cookie_name(username)))
        if not result.ok:
            self.error, self.busy = translate(result.message_key, self.lang, seconds=result.wait_seconds), False
            return
        asked = self.router.url.query_parameters.get("next")
        next_path = safe_next(asked) if asked else result.landing
        yield rx.call_script(session_script(result.ticket, next_path))


class PasswordState(ProtectedState):
    errors: dict[str, str] = {}
    done: bool = False

    @requires(before_password_change=True)
    async def change(self, form: dict[str, Any]):
        self.done = False
        if form.get("new_password") != form.get("confirm_password"):
            self.errors = {"confirm_password": self._tr("auth.password_mismatch")}
            return None
        refusal = await in_worker_thread(services.change_password, principal=self.principal,
                                 current_password=str(form.get("current_password", "")),
                                 new_password=str(form.get("new_password", "")))
        if refusal is not None:
            self.errors = self._field_messages(refusal)
            return None
        self.errors = {}
        self.done = True
        return [rx.toast.success(self._tr("auth.password_changed")), rx.redirect("/")]

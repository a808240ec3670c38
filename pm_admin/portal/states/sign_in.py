"""Owner sign-in and activation (public handlers: the credentials are what they check)."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from pm_admin.auth.redirects import safe_next
from pm_admin.core.base_state import AppState
from pm_admin.core.db import in_worker_thread
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.guard import current_client, public
from pm_admin.portal.services import sign_in

PORTAL_HOME = "/portal"


def portal_session_script(ticket: str, next_path: str) -> str:
    """Trade the one-time ticket for the HttpOnly portal cookie, then open the portal with it."""
    return ("fetch('/portal/session', {method: 'POST', credentials: 'same-origin', "
            "headers: {'Content-Type': 'application/json'}, "
            f"body: JSON.stringify({{ticket: {json.dumps(ticket)}}})}})"
            f".then(r => {{ if (r.ok) window.location.replace({json.dumps(next_path)}); "
            "else window.location.reload(); })")


def _portal_next(raw: str | None) -> str:
    path = safe_next(raw)
    return path if path.startswith(PORTAL_HOME) else PORTAL_HOME


class PortalLoginState(AppState):
    error: str = ""
    notice: str = ""
    busy: bool = False
    with_code: bool = False
    phone: str = ""

    @public
    def prepare(self):
        self.error, self.notice, self.busy = "", "", False

    @public
    def use_code(self, value: bool):
        self.with_code, self.error, self.notice = bool(value), "", ""

    def _answer(self, outcome: sign_in.Outcome):
        if not outcome.ok:
            self.error = self._tr(outcome.message_key, seconds=outcome.wait_seconds)
            return None
        self.error, self.busy = "", True
        return rx.call_script(portal_session_script(outcome.ticket,
                                                    _portal_next(self.router.url.query_parameters.get("next"))))

    @public
    def remember_phone(self, value: str):
        """The phone as typed so far (on leaving the field), for the send-code button outside the submit."""
        self.phone = str(value)[:32]

    @public
    async def send_code(self):
        phone = self.phone.strip()
        if not phone:
            self.error = self._tr("portal.fill_phone")
            return
        await in_worker_thread(sign_in.send_sign_in_code, phone=phone)
        self.error, self.notice = "", self._tr("portal.code_sent_if_registered")

    @public
    async def login(self, form: dict[str, Any]):
        phone = str(form.get("phone", "")).strip()
        secret = str(form.get("code" if self.with_code else "password", ""))
        if not phone or not secret:
            self.error = self._tr("portal.fill_both")
            return None
        if self.with_code:
            outcome = await in_worker_thread(sign_in.sign_in_with_code, phone=phone, code=secret,
                                             client=current_client())
        else:
            outcome = await in_worker_thread(sign_in.sign_in_with_password, phone=phone, password=secret,
                                             client=current_client())
        return self._answer(outcome)


class ActivationState(AppState):
    phone: str = ""  # masked
    invalid: str = ""
    errors: dict[str, str] = {}
    notice: str = ""
    busy: bool = False

    def _token(self) -> str:
        return str(self.router.page.params.get("token", ""))

    @public
    async def load(self):
        self.errors, self.notice, self.busy, self.invalid = {}, "", False, ""
        try:
            self.phone = await in_worker_thread(lambda session: sign_in.activation_phone(session, self._token()))
        except DomainError as error:
            self.phone, self.invalid = "", self._tr(error.key)

    @public
    async def send_code(self):
        try:
            sent = await in_worker_thread(lambda session: sign_in.send_activation_code(session, self._token()))
        except DomainError as error:
            self.invalid = self._tr(error.key)
            return
        self.notice = self._tr("portal.code_sent" if sent else "portal.code_wait")

    @public
    async def activate(self, form: dict[str, Any]):
        password = str(form.get("password", ""))
        if password != str(form.get("confirm_password", "")):
            self.errors = {"confirm_password": self._tr("auth.password_mismatch")}
            return None
        try:
            outcome = await in_worker_thread(sign_in.activate, token=self._token(), code=str(form.get("code", "")),
                                             password=password, client=current_client())
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        except DomainError as error:
            self.invalid = self._tr(error.key)
            return None
        if not outcome.ok:
            self.errors = {"code": self._tr(outcome.message_key, seconds=outcome.wait_seconds)}
            return None
        self.errors, self.busy = {}, True
        return rx.call_script(portal_session_script(outcome.ticket, PORTAL_HOME))

"""The 回访 form shared by the ticket page and the callback queue."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.db import unit_of_work
from pm_admin.core.errors import ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.permissions import Perm
from pm_admin.tickets.services import callbacks

CALLBACK_FIELDS = ("method", "reached", "satisfied", "comment", *callbacks.SCORES)


CONTACT_FIELDS = ("contact_name", "contact_relation", "contact_phone", "contact_time")


class CallbackFormMixin(rx.State, mixin=True):
    callback_open: bool = False
    # {"id", "code", "title", "kind", and the contact: name, relation, masked phone, preferred time}
    callback_target: dict[str, Any] = {}
    # The contact's full phone, fetched for this call only (audited) and dropped when the dialog closes.
    callback_phone: str = ""
    callback_values: dict[str, str] = {}
    callback_errors: dict[str, str] = {}
    callback_key: int = 0

    def _after_callback(self):
        raise NotImplementedError

    def _start_callback(self, target: dict[str, Any]) -> None:
        self.callback_target = {key: target.get(key) for key in ("id", "code", "title", "kind", *CONTACT_FIELDS)}
        self.callback_phone = ""
        self.callback_values = {"method": "phone", "reached": "yes", "satisfied": "yes", "comment": "",
                                **{score: "" for score in callbacks.SCORES}}
        self.callback_errors, self.callback_open = {}, True
        self.callback_key += 1

    @requires()
    def close_callback(self, _open: bool = False):
        self.callback_open, self.callback_phone = False, ""

    @requires(Perm.TICKETS_CALLBACK)
    def show_callback_phone(self):
        """The number to dial, for the callback being made (the audit log names the ticket)."""
        if not self.callback_open or "id" not in self.callback_target:
            return None
        with unit_of_work() as session:
            phone = callbacks.contact_phone_for_task(session, actor=self.principal,
                                                     ticket_id=int(self.callback_target["id"]), task="callback")
        self.callback_phone = phone or "—"
        return None

    @requires(Perm.TICKETS_CALLBACK)
    def save_callback(self, form: dict[str, Any]):
        submitted = {key: str(form.get(key, "")) for key in CALLBACK_FIELDS}
        reached = submitted["reached"] == "yes"
        satisfied = submitted["satisfied"] == "yes" if reached and submitted["satisfied"] in ("yes", "no") else None
        data = callbacks.CallbackInput(method=submitted["method"], reached=reached, satisfied=satisfied,
                                      comment=submitted["comment"],
                                      **{score: submitted[score] for score in callbacks.SCORES})
        try:
            with unit_of_work() as session:
                callbacks.record_callback(session, actor=self.principal, ticket_id=int(self.callback_target["id"]),
                                         data=data)
        except ValidationFailed as error:
            self.callback_values, self.callback_errors = submitted, self._field_messages(error)
            self.callback_key += 1
            return None
        self.callback_open, self.callback_phone = False, ""
        outcome = "unreachable" if not reached else "satisfied" if satisfied else "unsatisfied"
        return [rx.toast.success(self._tr(f"tickets.callback_done.{outcome}", code=self.callback_target["code"])),
                *(self._after_callback() or [])]

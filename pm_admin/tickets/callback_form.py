"""The 回访 form shared by the ticket page and the callback queue."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.db import unit_of_work
from pm_admin.core.errors import ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.permissions import Perm
from pm_admin.tickets import services

CALLBACK_FIELDS = ("method", "reached", "satisfied", "comment", *services.SCORES)


class CallbackFormMixin(rx.State, mixin=True):
    callback_open: bool = False
    callback_target: dict[str, Any] = {}  # {"id", "code", "title", "kind"} of the ticket called back
    callback_values: dict[str, str] = {}
    callback_errors: dict[str, str] = {}
    callback_key: int = 0

    def _after_callback(self):
        raise NotImplementedError

    def _start_callback(self, target: dict[str, Any]) -> None:
        self.callback_target = {key: target.get(key) for key in ("id", "code", "title", "kind")}
        self.callback_values = {"method": "phone", "reached": "yes", "satisfied": "yes", "comment": "",
                                **{score: "" for score in services.SCORES}}
        self.callback_errors, self.callback_open = {}, True
        self.callback_key += 1

    @requires()
    def close_callback(self, _open: bool = False):
        self.callback_open = False

    @requires(Perm.TICKETS_CALLBACK)
    def save_callback(self, form: dict[str, Any]):
        submitted = {key: str(form.get(key, "")) for key in CALLBACK_FIELDS}
        reached = submitted["reached"] == "yes"
        satisfied = submitted["satisfied"] == "yes" if reached and submitted["satisfied"] in ("yes", "no") else None
        data = services.CallbackInput(method=submitted["method"], reached=reached, satisfied=satisfied,
                                      comment=submitted["comment"],
                                      **{score: submitted[score] for score in services.SCORES})
        try:
            with unit_of_work() as session:
                services.record_callback(session, actor=self.principal, ticket_id=int(self.callback_target["id"]),
                                         data=data)
        except ValidationFailed as error:
            self.callback_values, self.callback_errors = submitted, self._field_messages(error)
            self.callback_key += 1
            return None
        self.callback_open = False
        outcome = "unreachable" if not reached else "satisfied" if satisfied else "unsatisfied"
        return [rx.toast.success(self._tr(f"tickets.callback_done.{outcome}", code=self.callback_target["code"])),
                *(self._after_callback() or [])]

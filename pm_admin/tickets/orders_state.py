"""A technician's own work orders 我的工单: start, hold, finish; a list that works on a phone."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import ConcurrencyConflict, NotFound, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.permissions import Perm
from pm_admin.tickets import queries
from pm_admin.tickets.services import actions, callbacks

STEPS = {"start": "in_progress", "hold": "on_hold", "resume": "in_progress", "finish": "resolved"}
STEP_FIELDS = ("reason", "hold_until", "resolution")


class MyOrdersState(ProtectedState):
    orders: list[dict[str, Any]] = []
    step: dict[str, Any] = {}  # {"id", "code", "title", "action"} while the dialog is open
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    step_key: int = 0
    # {"id", "phone"}: the contact's full phone of one order, fetched for the visit (audited); gone on reload.
    visit_phone: dict[str, Any] = {}

    def _load(self) -> None:
        with read_only() as session:
            self.orders = queries.my_orders(session, self.principal, self.lang)
        self.visit_phone = {}

    def _order(self, ticket_id: int) -> dict[str, Any]:
        order = next((o for o in self.orders if o["id"] == ticket_id), None)
        if order is None:
            raise NotFound("ticket")
        return order

    @requires(Perm.TICKETS_OWN)
    def load(self):
        self.step = {}
        self._load()

    def _run(self, order: dict[str, Any], action: str, data: actions.ActionInput):
        try:
            with unit_of_work() as session:
                actions.drop(session, actor=self.principal, ticket_id=order["id"], expected_version=order["version"],
                              to_status=STEPS[action], data=data)
        except actions.NeedsInput as needs:
            if self.step.get("id") == order["id"]:  # sent with a required field empty
                self.errors = {field: self._tr("error.required") for field in needs.fields}
                self.step_key += 1
                return None
            self.step = {"id": order["id"], "code": order["code"], "title": order["title"], "action": action}
            self.values, self.errors, self.step_key = {k: "" for k in STEP_FIELDS}, {}, self.step_key + 1
            return None
        except ConcurrencyConflict:
            self.step = {}
            self._load()
            return rx.toast.warning(self._tr("tickets.moved_by_someone", code=order["code"]))
        self.step = {}
        self._load()
        return rx.toast.success(self._tr("tickets.moved", code=order["code"],
                                         status=self._tr(f"tickets.status.{STEPS[action]}")))

    @requires(Perm.TICKETS_OWN)
    def act(self, ticket_id: int, action: str):
        if action not in STEPS:
            return None
        try:
            return self._run(self._order(ticket_id), action, actions.ActionInput())
        except ValidationFailed as error:  # e.g. an important ticket whose plan is not approved yet
            return rx.toast.error(next(iter(self._field_messages(error).values())), duration=6000)

    @requires(Perm.TICKETS_OWN)
    def confirm(self, form: dict[str, Any]):
        if not self.step:
            return None
        submitted = {key: str(form.get(key, "")) for key in STEP_FIELDS}
        try:
            return self._run(self._order(self.step["id"]), self.step["action"], actions.ActionInput(**submitted))
        except ValidationFailed as error:
            self.values, self.errors, self.step_key = submitted, self._field_messages(error), self.step_key + 1
            return None

    @requires()
    def cancel(self, _open: bool = False):
        self.step = {}

    @requires(Perm.TICKETS_OWN)
    def show_phone(self, ticket_id: int):
        """The number to call before the visit, for the assignee of that order only."""
        order = self._order(ticket_id)
        with unit_of_work() as session:
            phone = callbacks.contact_phone_for_task(session, actor=self.principal, ticket_id=order["id"],
                                                     task="visit")
        self.visit_phone = {"id": order["id"], "phone": phone or "—"}

    @requires()
    def hide_phone(self):
        self.visit_phone = {}

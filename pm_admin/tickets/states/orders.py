"""A technician's own work orders 我的工单: start, hold, finish; a list that works on a phone."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import ConcurrencyConflict, NotFound, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.permissions import Perm
from pm_admin.tickets import queries
from pm_admin.tickets.services import actions, callbacks, evidence
from pm_admin.ui.uploads import upload_refusal, upload_script

# The order page's buttons → the workflow's named actions.
STEPS = {"start": "start", "hold": "hold", "resume": "resume", "finish": "resolve"}
STEP_FIELDS = ("reason", "hold_until", "resolution")
ORDER_PHOTO = "order-photo"


class MyOrdersState(ProtectedState):
    orders: list[dict[str, Any]] = []
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
    async def load(self):
        await close_dialogs(self)
        await off_loop(self._load)

    @requires(Perm.TICKETS_OWN)
    async def act(self, ticket_id: int, action: str):
        """One tap: the step happens, or its dialog asks for what it needs (a reason, a resolution)."""
        if action not in STEPS:
            return None
        order = self._order(ticket_id)
        try:
            return await off_loop((await self.get_state(StepForm))._run, order, action, actions.ActionInput())
        except ValidationFailed as error:  # e.g. an important ticket whose plan is not approved yet
            return rx.toast.error(next(iter(self._field_messages(error).values())), duration=6000)

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


class StepForm(DialogForm, MyOrdersState):
    """A step that needs input: hold (reason, until-date) or finish 办结 (resolution and a photo of the work, kept in
    the ticket's evidence). ``subject``: the order's code and title and the step; the order's id and version stay
    on the server."""

    _pending: dict[str, str] = {}  # the finish's fields while its photo uploads

    def _run(self, order: dict[str, Any], action: str, data: actions.ActionInput, photo_upload_id: str = ""):
        try:
            with unit_of_work() as session:
                if photo_upload_id:  # the photo and the step in one transaction: neither without the other
                    evidence.attach_evidence(session, actor=self.principal, ticket_id=order["id"],
                                             upload_id=photo_upload_id)
                ticket = actions.take(session, actor=self.principal, ticket_id=order["id"],
                                      expected_version=order["version"], action=STEPS[action], data=data)
                status = str(ticket.status)
        except actions.NeedsInput as needs:
            if self.opened and self._record_id == order["id"]:  # sent with a required field empty
                self.errors = {field: self._tr("error.required") for field in needs.fields}
                return None
            self._open({k: "" for k in STEP_FIELDS}, record_id=order["id"],
                       subject={"code": order["code"], "title": order["title"], "action": action})
            return None
        except ConcurrencyConflict:
            self._close()
            self._load()
            return rx.toast.warning(self._tr("tickets.moved_by_someone", code=order["code"]))
        self._close()
        self._load()
        return rx.toast.success(self._tr("tickets.moved", code=order["code"],
                                         status=self._tr(f"tickets.status.{status}")))

    @requires(Perm.TICKETS_OWN)
    def save(self, form: dict[str, Any]):
        self._require_open()
        submitted = {key: str(form.get(key, "")) for key in STEP_FIELDS}
        if self.subject.get("action") == "finish":  # 办结 takes a photo of the work: first the upload
            self._pending = submitted
            return rx.call_script(upload_script(ORDER_PHOTO, evidence.EVIDENCE_PURPOSE),
                                  callback=StepForm.finish_with_photo)
        return self._step(submitted)

    @requires(Perm.TICKETS_OWN)
    def finish_with_photo(self, answer: dict[str, Any]):
        submitted, self._pending = self._pending, {}
        if not submitted or not self.opened:
            return None  # a crafted callback without a save
        refusal = upload_refusal(answer)
        if refusal is not None:
            self._keep_input(submitted)
            key, params = ("tickets.finish_needs_photo", {}) if refusal[0] == "files.none" else refusal
            self._fail("photo", key, **params)
            return None
        return self._step(submitted, str(answer.get("upload_id", "")))

    def _step(self, submitted: dict[str, str], photo_upload_id: str = ""):
        try:
            return self._run(self._order(self._record_id), str(self.subject.get("action", "")),
                             actions.ActionInput(**submitted), photo_upload_id)
        except ValidationFailed as error:
            self._refused(error, submitted)
            return None

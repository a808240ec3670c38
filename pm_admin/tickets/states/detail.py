"""One ticket: timeline, replies and notes, evidence, SLA, callbacks, plan, related tickets, masked owner."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import ConcurrencyConflict, DomainError, NotFound, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id, route_id
from pm_admin.core.permissions import Perm
from pm_admin.tickets import queries
from pm_admin.tickets.models import Status
from pm_admin.tickets.services import actions, appointment, evidence, handling, rounds, workflow
from pm_admin.tickets.services import callbacks as callback_services
from pm_admin.tickets.states.callback_form import CallbackForm
from pm_admin.ui.uploads import upload_script

EVIDENCE_INPUT = "ticket-evidence-file"
MOVE_FIELDS = ("assignee_id", "reason", "hold_until", "resolution")


class TicketDetailState(ProtectedState):
    ticket: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    callbacks: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    related: list[dict[str, Any]] = []  # own vars: a list inside `ticket` is undefined in the browser before load
    breaches: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []  # [{"action": name, "to": status, "needs": "reason,hold_until", "label": key}]
    assignees: list[dict[str, str]] = []
    missing: bool = False
    can_work: bool = False
    can_approve: bool = False
    can_callback: bool = False
    can_comment: bool = False
    can_open_incident: bool = False  # an urgent ticket becomes an emergency notice (the notices page prefills it)
    comment_errors: dict[str, str] = {}
    comment_key: int = 0
    upload_message: str = ""

    def _ticket_id(self) -> int:
        return int(self.ticket.get("id") or 0)

    def _reload(self, ticket_id: int) -> None:
        principal = self.principal
        with read_only() as session:
            detail = queries.ticket_detail(session, principal, ticket_id, self.lang)
            if detail is None:
                self.ticket, self.missing, self.related, self.breaches = {}, True, [], []
                return
            self.related, self.breaches = detail.pop("related"), detail.pop("breaches")
            self.ticket, self.missing = detail, False
            self.events = queries.timeline(session, principal, ticket_id)
            self.callbacks = queries.callbacks(session, principal, ticket_id)
            self.evidence = queries.evidence(session, principal, ticket_id)
            ticket = queries.visible_ticket(session, principal, ticket_id)
            status = Status(ticket.status)
            self.moves = [{"action": action.name, "to": str(action.target), "needs": ",".join(action.needs),
                           "label": workflow.label(action, status)}
                          for action in workflow.available(principal, status, ticket.assignee_id,
                                                           rounds.needs_callback(session, ticket))]
            self.assignees = queries.assignee_options(session, principal, ticket.community_id) \
                if principal.has(Perm.TICKETS_WORK) else []

    def _load(self) -> None:
        self._reload(self._ticket_id())

    @requires()
    async def load(self):
        principal = self.principal
        self.can_work, self.can_approve = principal.has(Perm.TICKETS_WORK), principal.has(Perm.TICKETS_APPROVE)
        self.can_callback = principal.has(Perm.TICKETS_CALLBACK)
        self.can_comment = principal.has(Perm.TICKETS_WORK) or principal.has(Perm.TICKETS_CREATE) \
            or principal.has(Perm.TICKETS_OWN)
        self.can_open_incident = principal.has(Perm.NOTICES_DRAFT)
        self.upload_message, self.comment_errors = "", {}
        await close_dialogs(self)
        raw = str(self.rx_router_page.params.get("ticket_id", ""))
        await off_loop(self._reload, route_id(raw))

    def _done(self, key: str, **params):
        self._load()
        return rx.toast.success(self._tr(key, **params))

    # ------------------------------------------------------------ replies, tier, validity

    @requires()
    def add_comment(self, form: dict[str, Any]):
        body, public = str(form.get("body", "")), form.get("public") in (True, "on", "true")
        try:
            with unit_of_work() as session:
                handling.add_comment(session, actor=self.principal, ticket_id=self._ticket_id(), body=body,
                                     public=public)
        except ValidationFailed as error:
            self.comment_errors = self._field_messages(error)
            return None
        self.comment_errors, self.comment_key = {}, self.comment_key + 1
        return self._done("tickets.reply_saved" if public else "tickets.note_saved")

    @requires(Perm.TICKETS_APPROVE)
    def approve_plan(self):
        with unit_of_work() as session:
            handling.approve_plan(session, actor=self.principal, ticket_id=self._ticket_id())
        return self._done("tickets.plan_approved")

    @requires(Perm.TICKETS_WORK)
    def change_tier(self, tier: str):
        with unit_of_work() as session:  # the service refuses a tier that is not one, or the one it has
            handling.change_tier(session, actor=self.principal, ticket_id=self._ticket_id(), tier=str(tier))
        return self._done("common.saved")

    @requires(Perm.TICKETS_APPROVE)
    def mark_valid(self, valid: str):
        with unit_of_work() as session:
            handling.mark_valid_complaint(session, actor=self.principal, ticket_id=self._ticket_id(),
                                          valid=valid == "true")
        return self._done("common.saved")

    @requires()
    def watch(self):
        with unit_of_work() as session:
            handling.watch(session, actor=self.principal, ticket_id=self._ticket_id())
        return rx.toast.success(self._tr("tickets.watching"))

    # ------------------------------------------------------------ evidence

    @requires()
    def start_upload(self):
        if not self.ticket:
            raise NotFound("ticket")
        self.upload_message = ""
        return rx.call_script(upload_script(EVIDENCE_INPUT, evidence.EVIDENCE_PURPOSE),
                              callback=TicketDetailState.finish_upload)

    @requires()
    def finish_upload(self, upload: dict[str, Any]):
        if not isinstance(upload, dict) or not upload.get("ok"):
            key = str(upload.get("error", "files.upload_failed")) if isinstance(upload, dict) else "files.upload_failed"
            self.upload_message = self._tr(key, **{k: v for k, v in upload.items() if k == "max_mb"}) \
                if isinstance(upload, dict) else self._tr(key)
            return None
        try:
            with unit_of_work() as session:
                evidence.attach_evidence(session, actor=self.principal, ticket_id=self._ticket_id(),
                                         upload_id=str(upload["upload_id"]))
        except ValidationFailed as error:
            self.upload_message = next(iter(self._field_messages(error).values()))
            return None
        return self._done("tickets.evidence_added")


# ---------------------------------------------------------------- dialogs


class DetailMoveForm(DialogForm, TicketDetailState):
    """A named action the ticket's buttons offer; one that needs input (assignee, reason, until-date, resolution)
    asks for it (``needs``), one that needs none happens at once."""

    needs: list[str] = []
    action: str = ""

    @requires(workflow.MOVERS)
    def open_move(self, action: str):
        move = next((m for m in self.moves if m["action"] == action), None)
        if move is None:
            return None
        if not move["needs"]:
            return self._take(action, actions.ActionInput())
        self.action, self.needs = action, move["needs"].split(",")
        self._open({key: "" for key in MOVE_FIELDS}, record_id=self._ticket_id())
        return None

    def _take(self, action: str, data: actions.ActionInput):
        try:
            with unit_of_work() as session:
                ticket = actions.take(session, actor=self.principal, ticket_id=self._ticket_id(),
                                      expected_version=int(self.ticket.get("version") or 0), action=action, data=data)
                status = str(ticket.status)
        except ConcurrencyConflict:
            self._close()
            self._load()
            return rx.toast.warning(self._tr("tickets.moved_by_someone", code=self.ticket.get("code", "")))
        except actions.NeedsInput as needs:
            self.errors = {field: self._tr("error.required") for field in needs.fields}
            return None
        self._close()
        return self._done("tickets.moved", code=self.ticket["code"], status=self._tr(f"tickets.status.{status}"))

    @requires(workflow.MOVERS)
    def save(self, form: dict[str, Any]):
        self._require_open()
        if self._record_id != self._ticket_id():  # another ticket's page meanwhile
            self._close()
            return None
        submitted = {key: str(form.get(key, "")) for key in MOVE_FIELDS}
        try:
            return self._take(self.action, actions.ActionInput(
                assignee_id=optional_id(submitted["assignee_id"]), reason=submitted["reason"],
                hold_until=submitted["hold_until"], resolution=submitted["resolution"]))
        except ValidationFailed as error:
            if not set(error.fields) <= set(self.needs):
                self._close()
                raise DomainError(next(iter(error.fields.values()))[0]) from error
            self._refused(error, submitted)
            return None


class PlanForm(DialogForm, TicketDetailState):
    """The handling plan of an important ticket, for a manager to approve."""

    _SAVED: ClassVar[str] = "tickets.plan_submitted"

    @requires()
    def open_plan(self):
        self._open({"plan": str(self.ticket.get("plan", ""))}, record_id=self._ticket_id())

    @requires()
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: handling.submit_plan(
            session, actor=self.principal, ticket_id=self._record_id, plan=str(form.get("plan", ""))))


class AppointmentForm(DialogForm, TicketDetailState):
    """预约上门时间: the desk or the ticket's assignee sets (or moves) the visit; the owner is told."""

    _SAVED: ClassVar[str] = "tickets.appointment_saved"

    @requires()
    def open_appointment(self):
        if not self.ticket.get("can_schedule"):
            return None
        self._open({appointment.FIELD: str(self.ticket.get("appointment_input", ""))}, record_id=self._ticket_id(),
                   version=int(self.ticket.get("version") or 0))
        return None

    @requires()
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: appointment.set_appointment(
            session, actor=self.principal, ticket_id=self._record_id, expected_version=self._version,
            when=str(form.get(appointment.FIELD, ""))))


class UnreachableForm(DialogForm, TicketDetailState):
    """Close a ticket whose owner could not be reached after three callbacks, with a reason."""

    _SAVED: ClassVar[str] = "tickets.closed_unreachable"

    @requires(Perm.TICKETS_APPROVE)
    def open_unreachable(self):
        self._open({"reason": ""}, record_id=self._ticket_id())

    @requires(Perm.TICKETS_APPROVE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: callback_services.close_unreachable(
            session, actor=self.principal, ticket_id=self._record_id, reason=str(form.get("reason", ""))))


class DetailCallback(CallbackForm, TicketDetailState):
    @requires(Perm.TICKETS_CALLBACK)
    def open_callback(self):
        if self.ticket:
            self._start_callback(self.ticket)

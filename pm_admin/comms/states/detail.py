"""One notice for staff: its text, reach and acknowledgement by building (refreshed every few seconds while it is
open), the call list, progress updates, review and withdrawal."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.comms import notices, queries
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import NotFound, PermissionDenied
from pm_admin.core.guard import requires
from pm_admin.core.ids import route_id
from pm_admin.core.permissions import Perm


class NoticeDetailState(ProtectedState):
    notice: dict[str, Any] = {}
    calls: list[dict[str, Any]] = []
    can_approve: bool = False
    _notice_id: int = 0

    def _load(self) -> None:
        # Escalation is the dispatcher's timed work (``cli`` dispatch): reading a page never writes.
        with read_only() as session:
            self.notice = queries.notice_detail(session, self.principal, self._notice_id)
            self.calls = queries.call_list(session, self.principal, self._notice_id)

    @requires(Perm.NOTICES_VIEW)
    async def load(self):
        self._notice_id = route_id(str(self.rx_router_page.params.get("notice_id", "")))
        self.can_approve = self.principal.has(Perm.NOTICES_APPROVE)
        await close_dialogs(self)
        try:
            await off_loop(self._load)
        except (NotFound, PermissionDenied):
            self._notice_id, self.notice, self.calls = 0, {}, []
            raise

    @requires(Perm.NOTICES_VIEW, poll=True)
    def poll(self, _tick: str = ""):
        if self._notice_id and self.notice.get("status") == "sent":
            with read_only() as session:
                self.notice = {**self.notice, "buildings": queries.acknowledgement_of(session, self.principal,
                                                                                      self._notice_id)}
                self.calls = queries.call_list(session, self.principal, self._notice_id)  # escalated meanwhile

    @requires(Perm.NOTICES_APPROVE)
    def review(self):
        with unit_of_work() as session:
            notices.review(session, actor=self.principal, notice_id=self._notice_id)
        self._load()
        return rx.toast.success(self._tr("common.saved"))

    @requires(Perm.NOTICES_APPROVE)
    def add_update(self, form: dict[str, Any]):
        with unit_of_work() as session:
            notices.add_update(session, actor=self.principal, notice_id=self._notice_id,
                               stage=str(form.get("stage", "")), body=str(form.get("body", "")))
        self._load()
        return rx.toast.success(self._tr("comms.update_sent"))


class CallForm(DialogForm, NoticeDetailState):
    @requires(Perm.NOTICES_VIEW)
    def open_call(self, room_id: int):
        row = next((c for c in self.calls if c["room_id"] == room_id), None)
        if row is not None:
            self._open({"note": ""}, record_id=room_id, subject={"room": row["room"], "owner": row["owner"]})

    @requires(Perm.NOTICES_VIEW)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: notices.record_call(
            session, actor=self.principal, notice_id=self._notice_id, room_id=self._record_id,
            note=str(form.get("note", ""))))


class WithdrawForm(DialogForm, NoticeDetailState):
    @requires(Perm.NOTICES_APPROVE)
    def open_withdraw(self):
        self._open({"reason": ""}, record_id=self._notice_id, subject={"title": self.notice.get("title", "")})

    @requires(Perm.NOTICES_APPROVE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: notices.withdraw(
            session, actor=self.principal, notice_id=self._record_id, reason=str(form.get("reason", ""))))


class NoticeSteps(NoticeDetailState):
    """The workflow steps from the notice's own page (the same services as the list's buttons)."""

    def _step(self, work) -> Any:
        with unit_of_work() as session:
            work(session)
        self._load()
        return rx.toast.success(self._tr("common.saved"))

    @requires(Perm.NOTICES_DRAFT)
    def submit(self):
        return self._step(lambda session: notices.submit(session, actor=self.principal, notice_id=self._notice_id))

    @requires(Perm.NOTICES_APPROVE)
    def approve(self):
        return self._step(lambda session: notices.approve(session, actor=self.principal, notice_id=self._notice_id,
                                                          expected_version=int(self.notice.get("version", 0))))

    @requires(Perm.NOTICES_APPROVE)
    def send_now(self):
        return self._step(lambda session: notices.send_emergency_now(
            session, actor=self.principal, notice_id=self._notice_id,
            expected_version=int(self.notice.get("version", 0))))


class EditForm(DialogForm, NoticeDetailState):
    """A draft's or pending notice's title and text (a pending one goes back to draft: it needs approving again)."""

    @requires(Perm.NOTICES_DRAFT)
    def open_edit(self):
        if self.notice.get("status") in ("draft", "pending"):
            self._open({"title": self.notice.get("title", ""), "body": self.notice.get("body", "")},
                       record_id=self._notice_id, version=int(self.notice.get("version", 0)))

    @requires(Perm.NOTICES_DRAFT)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: notices.update_text(
            session, actor=self.principal, notice_id=self._record_id, expected_version=self._version,
            title=str(form.get("title", "")), body=str(form.get("body", ""))))

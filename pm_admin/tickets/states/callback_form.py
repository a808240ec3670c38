"""The 回访 dialog shared by the ticket page and the callback queue (one subclass each)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.db import unit_of_work
from pm_admin.core.dialog_form import DialogForm
from pm_admin.core.errors import ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.permissions import Perm
from pm_admin.tickets.services import callbacks

CALLBACK_FIELDS = ("method", "reached", "satisfied", "comment", *callbacks.SCORES)
CONTACT_FIELDS = ("contact_name", "contact_relation", "contact_phone", "contact_time")


class CallbackForm(DialogForm, mixin=True):
    """``subject``: the ticket's code, title and kind and whom to call (name, relation, masked phone, preferred
    time); the ticket's id stays on the server. A subclass opens it on its page's ticket and reloads after."""

    # The contact's full phone, fetched for this call only (audited) and dropped when the dialog closes.
    phone: str = ""

    def _start_callback(self, target: dict[str, Any]) -> None:
        self.phone = ""
        # Nothing is preselected for the owner's verdict: the specialist must hear it and choose (issue 17).
        self._open({"method": "phone", "reached": "yes", "satisfied": "", "comment": "",
                    **{score: "" for score in callbacks.SCORES}}, record_id=int(target["id"]),
                   subject={key: target.get(key) for key in ("code", "title", "kind", *CONTACT_FIELDS)})

    @requires()
    def close(self, _open: bool = False):
        self.opened, self.phone = False, ""

    @requires(Perm.TICKETS_CALLBACK)
    def show_phone(self):
        """The number to dial, for the callback being made (the audit log names the ticket)."""
        if not self.opened or not self._record_id:
            return None
        with unit_of_work() as session:
            phone = callbacks.contact_phone_for_task(session, actor=self.principal, ticket_id=self._record_id,
                                                     task="callback")
        self.phone = phone or "—"
        return None

    @requires(Perm.TICKETS_CALLBACK)
    def save(self, form: dict[str, Any]):
        self._require_open()
        submitted = {key: str(form.get(key, "")) for key in CALLBACK_FIELDS}
        reached = submitted["reached"] == "yes"
        satisfied = submitted["satisfied"] == "yes" if reached and submitted["satisfied"] in ("yes", "no") else None
        data = callbacks.CallbackInput(method=submitted["method"], reached=reached, satisfied=satisfied,
                                       comment=submitted["comment"],
                                       **{score: submitted[score] for score in callbacks.SCORES})
        try:
            with unit_of_work() as session:
                callbacks.record_callback(session, actor=self.principal, ticket_id=self._record_id, data=data)
        except ValidationFailed as error:
            self._refused(error, submitted)
            return None
        self._close()
        self.phone = ""
        self._after_save()
        outcome = "unreachable" if not reached else "satisfied" if satisfied else "unsatisfied"
        return rx.toast.success(self._tr(f"tickets.callback_done.{outcome}", code=self.subject.get("code", "")))

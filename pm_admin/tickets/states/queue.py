"""The callback queue 回访队列: resolved tickets waiting for a call, oldest first."""

from __future__ import annotations

from typing import Any

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.dialog_form import close_dialogs
from pm_admin.core.errors import NotFound
from pm_admin.core.guard import requires
from pm_admin.core.permissions import Perm
from pm_admin.tickets import queries
from pm_admin.tickets.states.callback_form import CallbackForm


class CallbackQueueState(ProtectedState):
    queue: list[dict[str, Any]] = []

    def _load(self) -> None:
        with read_only() as session:
            self.queue = queries.callback_queue(session, self.principal, self.lang)

    @requires(Perm.TICKETS_CALLBACK)
    async def load(self):
        await close_dialogs(self)
        await off_loop(self._load)


class QueueCallback(CallbackForm, CallbackQueueState):
    @requires(Perm.TICKETS_CALLBACK)
    def open_callback(self, ticket_id: int):
        row = next((r for r in self.queue if r["id"] == ticket_id), None)
        if row is None:
            raise NotFound("ticket")
        self._start_callback(row)

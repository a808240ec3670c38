"""The callback queue 回访队列: resolved tickets waiting for a call, oldest first."""

from __future__ import annotations

from typing import Any

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only
from pm_admin.core.errors import NotFound
from pm_admin.core.guard import requires
from pm_admin.core.permissions import Perm
from pm_admin.tickets import queries
from pm_admin.tickets.callback_form import CallbackFormMixin


class CallbackQueueState(CallbackFormMixin, ProtectedState):
    queue: list[dict[str, Any]] = []

    def _load(self) -> None:
        with read_only() as session:
            self.queue = queries.callback_queue(session, self.principal, self.lang)

    def _after_callback(self):
        self._load()
        return []

    @requires(Perm.TICKETS_CALLBACK)
    def load(self):
        self.callback_open = False
        self._load()

    @requires(Perm.TICKETS_CALLBACK)
    def open_callback(self, ticket_id: int):
        row = next((r for r in self.queue if r["id"] == ticket_id), None)
        if row is None:
            raise NotFound("ticket")
        self._start_callback(row)

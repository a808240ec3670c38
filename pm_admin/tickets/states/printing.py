"""A ticket's print layout (``/print/tickets/<id>``): its facts, timeline and callbacks, read like its page, by the
same queries and checks (a ticket outside the reader's scope or permission is not found)."""

from __future__ import annotations

from typing import Any

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.clock import local_text, utcnow
from pm_admin.core.db import read_only
from pm_admin.core.guard import requires
from pm_admin.core.ids import route_id
from pm_admin.tickets import queries


class TicketPrintState(ProtectedState):
    ticket: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    callbacks: list[dict[str, Any]] = []
    missing: bool = False
    printed_at: str = ""

    @requires()
    def load(self):
        ticket_id = route_id(str(self.rx_router_page.params.get("ticket_id", "")))
        principal = self.principal
        self.ticket, self.events, self.callbacks, self.missing = {}, [], [], True
        with read_only() as session:
            detail = queries.ticket_detail(session, principal, ticket_id, self.lang) if ticket_id else None
            if detail is None:
                return
            self.events = queries.timeline(session, principal, ticket_id)
            self.callbacks = queries.callbacks(session, principal, ticket_id)
        self.ticket = {k: v for k, v in detail.items() if k not in ("related", "breaches")}
        self.missing, self.printed_at = False, local_text(utcnow())

"""My tickets and one ticket: status, promise, public replies, and rating it once resolved."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import PortalState
from pm_admin.core.db import in_worker_thread
from pm_admin.core.errors import ValidationFailed
from pm_admin.core.guard import requires_owner
from pm_admin.core.permissions import PortalPerm
from pm_admin.portal import queries
from pm_admin.portal.services import tickets
from pm_admin.portal.services.tickets import Rating

SCORES = ("attitude", "efficiency", "skill", "result", "overall")


class PortalTicketsState(PortalState):
    rows: list[dict] = []

    @requires_owner(PortalPerm.TICKETS)
    async def load(self):
        self.rows = await in_worker_thread(queries.my_tickets, owner=self.owner, language=self.lang)


class PortalTicketState(PortalState):
    ticket: dict[str, Any] = {}
    missing: bool = False
    satisfied: str = ""  # "", "yes", "no": nothing preselected
    errors: dict[str, str] = {}

    def _load(self, session):
        return queries.ticket_view(session, self.owner, self.router.page.params.get("ticket_id"), self.lang)

    @requires_owner(PortalPerm.TICKETS)
    async def load(self):
        view = await in_worker_thread(self._load)
        self.ticket, self.missing = view or {}, view is None
        self.satisfied, self.errors = "", {}

    @requires_owner(PortalPerm.TICKETS)
    def choose(self, value: str):
        self.satisfied = value if value in ("yes", "no") else ""

    @requires_owner(PortalPerm.TICKETS)
    async def rate(self, form: dict[str, Any]):
        if self.satisfied not in ("yes", "no"):
            self.errors = {"satisfied": self._tr("portal.choose_satisfaction")}
            return None
        rating = Rating(satisfied=self.satisfied == "yes", comment=str(form.get("comment", ""))[:500],
                        **{name: str(form.get(name, "")) for name in SCORES})
        try:
            await in_worker_thread(tickets.rate, owner=self.owner, ticket_id=self.ticket.get("id"), rating=rating)
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        view = await in_worker_thread(self._load)
        self.ticket, self.errors, self.satisfied = view or {}, {}, ""
        return rx.toast.success(self._tr("portal.rated"))

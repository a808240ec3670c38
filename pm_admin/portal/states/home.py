"""The portal's home: my rooms, open tickets, unread notices, surveys waiting; and signing out."""

from __future__ import annotations

import reflex as rx

from pm_admin.core.base_state import PortalState
from pm_admin.core.db import in_worker_thread
from pm_admin.core.guard import requires_owner
from pm_admin.core.permissions import PortalPerm
from pm_admin.portal import queries

SIGN_OUT_SCRIPT = ("fetch('/portal/logout', {method: 'POST', credentials: 'same-origin'})"
                   ".then(() => window.location.replace('/portal/login'))")


class PortalHomeState(PortalState):
    name: str = ""
    rooms: list[dict[str, str]] = []
    open_tickets: list[dict] = []
    unread_notices: int = 0
    pending_surveys: int = 0

    @requires_owner(PortalPerm.HOME)
    async def load(self):
        owner = self.owner
        home = await in_worker_thread(queries.home, owner=owner, language=self.lang)
        self.name = owner.display_name
        self.rooms, self.open_tickets, self.unread_notices = home["rooms"], home["open_tickets"], home["unread_notices"]
        self.pending_surveys = home["pending_surveys"]

    @requires_owner()
    def sign_out(self):
        return rx.call_script(SIGN_OUT_SCRIPT)

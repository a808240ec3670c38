"""The owner's notices: the inbox with read receipts."""

from __future__ import annotations

import reflex as rx

from pm_admin.core.base_state import PortalState
from pm_admin.core.db import in_worker_thread
from pm_admin.core.guard import requires_owner
from pm_admin.core.permissions import PortalPerm
from pm_admin.portal import notices


class PortalNoticesState(PortalState):
    rows: list[dict] = []

    @requires_owner(PortalPerm.NOTICES)
    async def load(self):
        self.rows = await in_worker_thread(notices.inbox, owner=self.owner)

    @requires_owner(PortalPerm.NOTICES)
    async def open_notice(self, notice_id: int):
        row = next((r for r in self.rows if r["id"] == notice_id), None)
        if row is None:
            return None
        await in_worker_thread(notices.mark_read, owner=self.owner, message_id=notice_id)
        self.rows = [{**r, "read": True} if r["id"] == notice_id else r for r in self.rows]
        return rx.redirect(row["link"]) if row["link"] else None

    @requires_owner(PortalPerm.NOTICES)
    async def read_all(self):
        await in_worker_thread(notices.mark_all_read, owner=self.owner)
        self.rows = [{**r, "read": True} for r in self.rows]

"""A notice in the owner portal: the text, progress updates, and 已知悉 when it asks for it."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.comms import owner_view
from pm_admin.core.base_state import PortalState
from pm_admin.core.db import in_worker_thread
from pm_admin.core.guard import requires_owner
from pm_admin.core.permissions import PortalPerm


class PortalNoticeState(PortalState):
    notice: dict[str, Any] = {}
    missing: bool = False

    def _read(self, session):
        notice_id = self.router.page.params.get("notice_id")
        found = owner_view.notice(session, self.owner, notice_id)
        if found is not None:
            owner_view.mark_read(session, self.owner, found["id"])
        return found

    @requires_owner(PortalPerm.NOTICES)
    async def load(self):
        found = await in_worker_thread(self._read)
        self.notice, self.missing = found or {}, found is None

    @requires_owner(PortalPerm.NOTICES)
    async def acknowledge(self):
        if not self.notice:
            return None
        await in_worker_thread(owner_view.acknowledge, owner=self.owner, notice_id=self.notice["id"])
        self.notice = {**self.notice, "acknowledged": True}
        return rx.toast.success(self._tr("comms.acknowledged"))

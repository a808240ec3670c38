"""Reporting 报修 / 投诉 / 建议 / 咨询 for a room, and anonymous feedback 匿名反馈."""

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
from pm_admin.portal.services.tickets import Report


class PortalReportState(PortalState):
    rooms: list[dict[str, str]] = []
    communities: list[dict[str, str]] = []
    categories: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    feedback_code: str = ""  # the code of the anonymous feedback just given: its only link

    @requires_owner(PortalPerm.TICKETS)
    async def load(self):
        owner = self.owner

        def choices(session):
            return (queries.room_labels(session, owner), queries.community_choices(session, owner),
                    queries.report_categories(session, self.lang))
        self.rooms, self.communities, self.categories = await in_worker_thread(choices)
        self.errors, self.feedback_code = {}, ""

    @requires_owner(PortalPerm.TICKETS)
    async def submit(self, form: dict[str, Any]):
        data = Report(kind=str(form.get("kind", "")), category_id=str(form.get("category_id", "")),
                      description=str(form.get("description", ""))[:4000], room_id=str(form.get("room_id", "")),
                      tier="urgent" if form.get("urgent") else "normal",
                      preferred_time=str(form.get("preferred_time", ""))[:64])
        try:
            ticket = await in_worker_thread(tickets.report, owner=self.owner, data=data)
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        self.errors = {}
        return [rx.toast.success(self._tr("portal.reported", code=ticket.code)),
                rx.redirect(f"/portal/tickets/{ticket.id}")]

    @requires_owner(PortalPerm.FEEDBACK)
    async def give_feedback(self, form: dict[str, Any]):
        try:
            code = await in_worker_thread(
                tickets.give_anonymous_feedback, owner=self.owner, community_id=str(form.get("community_id", "")),
                category_id=str(form.get("category_id", "")), description=str(form.get("description", ""))[:4000])
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return
        self.errors, self.feedback_code = {}, code

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
from pm_admin.portal.services import photos, tickets
from pm_admin.portal.services.tickets import Report
from pm_admin.ui.uploads import photos_script, upload_refusal

PHOTO_INPUT = "report-photos"
REPORT_FIELDS = ("kind", "category_id", "description", "room_id", "preferred_time")


class PortalReportState(PortalState):
    rooms: list[dict[str, str]] = []
    communities: list[dict[str, str]] = []
    categories: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    feedback_code: str = ""  # the code of the anonymous feedback just given: its only link
    prefill: str = ""  # the description to start from (the question asked of the FAQ assistant)
    form_key: int = 0
    _pending: dict[str, str] = {}  # the report's fields while its photos upload

    @requires_owner(PortalPerm.TICKETS)
    async def load(self):
        owner = self.owner

        def choices(session):
            return (queries.room_labels(session, owner), queries.community_choices(session, owner),
                    queries.report_categories(session, self.lang))
        self.rooms, self.communities, self.categories = await in_worker_thread(choices)
        self.prefill = str(self.router.url.query_parameters.get("text", ""))[:500]
        self.form_key += 1  # the description starts from it
        self.errors, self.feedback_code = {}, ""

    @requires_owner(PortalPerm.TICKETS)
    def submit(self, form: dict[str, Any]):
        """First the photos (each to the portal's photo route), then ``send`` with their ids."""
        self._pending = {key: str(form.get(key, ""))[:4000] for key in REPORT_FIELDS}
        self._pending["urgent"] = "1" if form.get("urgent") else ""
        return rx.call_script(photos_script(PHOTO_INPUT, "/portal/photos", photos.MAX_PHOTOS),
                              callback=PortalReportState.send)

    @requires_owner(PortalPerm.TICKETS)
    async def send(self, answer: dict[str, Any]):
        if refusal := upload_refusal(answer):
            key, params = refusal
            self.errors = {"photos": self._tr(key, **params)}
            return None
        form, self._pending = self._pending, {}
        if not form:
            return None  # a crafted send without a submit
        data = Report(kind=form["kind"], category_id=form["category_id"], description=form["description"],
                      room_id=form["room_id"], tier="urgent" if form["urgent"] else "normal",
                      preferred_time=form["preferred_time"][:64])
        ids = [str(i) for i in answer.get("upload_ids", [])][:photos.MAX_PHOTOS]
        try:
            ticket = await in_worker_thread(tickets.report, owner=self.owner, data=data, photo_ids=ids)
        except ValidationFailed as error:
            self._pending = form
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

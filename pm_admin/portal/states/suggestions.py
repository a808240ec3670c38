"""The suggestion box in the portal: write a suggestion for one of my rooms, follow mine and read the replies."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import PortalState
from pm_admin.core.db import in_worker_thread
from pm_admin.core.errors import ValidationFailed
from pm_admin.core.guard import requires_owner
from pm_admin.core.permissions import PortalPerm
from pm_admin.portal import queries
from pm_admin.suggestions import queries as suggestion_queries
from pm_admin.suggestions.services import intake


class PortalSuggestionsState(PortalState):
    rooms: list[dict[str, str]] = []
    categories: list[dict[str, str]] = []
    mine: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    form_key: int = 0

    async def _refresh(self) -> None:
        owner, language = self.owner, self.lang
        self.mine = await in_worker_thread(
            lambda session: suggestion_queries.owner_suggestions(session, owner, language))

    @requires_owner(PortalPerm.FEEDBACK)
    async def load(self):
        owner, language = self.owner, self.lang

        def choices(session):
            return queries.room_labels(session, owner), queries.report_categories(session, language)
        self.rooms, self.categories = await in_worker_thread(choices)
        self.errors = {}
        await self._refresh()

    @requires_owner(PortalPerm.FEEDBACK)
    async def submit(self, form: dict[str, Any]):
        owner = self.owner
        try:
            await in_worker_thread(lambda session: intake.submit_from_portal(
                session, owner=owner, room_id=str(form.get("room_id", "")),
                category_id=str(form.get("category_id", "")), content=str(form.get("content", ""))[:2100]))
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        self.errors = {}
        self.form_key += 1  # a fresh, empty form
        await self._refresh()
        return rx.toast.success(self._tr("portal.suggestion_received"))

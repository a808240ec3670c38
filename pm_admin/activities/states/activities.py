"""The activities list (filters in the URL) and the planning dialog."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.activities import queries
from pm_admin.activities.models import ActivityStatus
from pm_admin.activities.services import plan
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.clock import local_today
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.places.pickers import COMMUNITY_PICKER
from pm_admin.places.queries import community_options

ACTIVITY_FIELDS = ("community_id", "theme", "title", "description", "starts_at", "ends_at", "place", "capacity",
                   "budget")


class ActivitiesState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.ACTIVITIES_VIEW
    _PATH: ClassVar[str] = "/activities"
    _FILTERS: ClassVar[tuple[str, ...]] = ("community", "status")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"status": tuple(ActivityStatus)}
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER,)
    can_manage: bool = False

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        f = self.filters
        return queries.activities(session, self.principal, request, queries.ActivityFilter(
            community_id=optional_id(f.get("community")), status=f.get("status", "")))

    @requires(Perm.ACTIVITIES_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.ACTIVITIES_MANAGE)
        await close_dialogs(self)
        self._start_filters()
        await off_loop(self._load)


def _at(days: int, hour: int) -> str:
    return datetime.combine(local_today() + timedelta(days=days), time(hour, 0)).strftime("%Y-%m-%dT%H:%M")


class NewActivityForm(DialogForm, ActivitiesState):
    community_choices: list[dict[str, str]] = []

    @requires(Perm.ACTIVITIES_MANAGE)
    def open_new(self):
        with read_only() as session:
            self.community_choices = select_options(community_options(session, self.principal))
        community = self.filters.get("community") or (
            self.community_choices[0]["value"] if self.community_choices else "")
        self._open({"community_id": str(community), "theme": "", "title": "", "description": "",
                    "starts_at": _at(14, 14), "ends_at": _at(14, 16), "place": "", "capacity": "30", "budget": "0"})

    @requires(Perm.ACTIVITIES_MANAGE)
    def save(self, form: dict[str, Any]):
        data = plan.ActivityInput(**{key: str(form.get(key, "")) for key in ACTIVITY_FIELDS})
        return self._submit(form, lambda session: plan.create_activity(session, actor=self.principal, data=data).id)

    def _saved(self, result: Any = None):
        self._close()
        return rx.redirect(f"/activities/{result}")

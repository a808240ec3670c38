"""巡检任务: the tasks of the user's communities (filters in the URL), and a manager's "generate now"."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.clock import local_today
from pm_admin.core.db import off_loop, unit_of_work
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.inspections.models import Category
from pm_admin.inspections.queries import tasks as queries
from pm_admin.inspections.services.generation import generate_now
from pm_admin.places.pickers import COMMUNITY_PICKER


class InspectionsState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.INSPECTIONS_VIEW
    _PATH: ClassVar[str] = "/inspections"
    _FILTERS: ClassVar[tuple[str, ...]] = ("community", "status", "category")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"status": queries.STATUS_FILTERS, "category": tuple(Category)}
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER,)
    can_manage: bool = False

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        f = self.filters
        return queries.tasks(session, self.principal, request, queries.TaskFilter(
            community_id=optional_id(f.get("community")), status=f.get("status", ""), category=f.get("category", "")))

    @requires(Perm.INSPECTIONS_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.INSPECTIONS_MANAGE)
        self._start_filters()
        await off_loop(self._load)

    @requires(Perm.INSPECTIONS_MANAGE)
    def generate(self):
        """Give out the current period's tasks of every schedule in view now (the daily job does it each day)."""
        with unit_of_work() as session:
            given = generate_now(session, actor=self.principal, today=local_today())
        self._load()
        return rx.toast.success(self._tr("inspections.generated", count=given))

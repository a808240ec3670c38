"""隐患整改: the rectifications of the user's communities (filters in the URL; overdue = open past its deadline)."""

from __future__ import annotations

from typing import ClassVar

from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.inspections.models import Category, RectificationStatus
from pm_admin.inspections.queries import rectifications as queries
from pm_admin.places.pickers import COMMUNITY_PICKER


class RectificationsState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.INSPECTIONS_VIEW
    _PATH: ClassVar[str] = "/rectifications"
    _FILTERS: ClassVar[tuple[str, ...]] = ("community", "status", "category", "overdue")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _FLAGS: ClassVar[frozenset[str]] = frozenset({"overdue"})
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"status": tuple(RectificationStatus),
                                                       "category": tuple(Category)}
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER,)

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        f = self.filters
        return queries.rectifications(session, self.principal, request, queries.RectificationFilter(
            community_id=optional_id(f.get("community")), status=f.get("status", ""), category=f.get("category", ""),
            overdue=f.get("overdue") == "1"), self.lang)

    @requires(Perm.INSPECTIONS_VIEW)
    async def load(self):
        self._start_filters()
        await off_loop(self._load)

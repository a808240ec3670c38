"""走访完成情况 (/visits/report): completion and coverage per community and per steward for a period, and the households
not reached this year (paged, downloadable)."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.clock import local_today
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.places.pickers import PLACE_PICKERS
from pm_admin.visits import coverage
from pm_admin.visits.periods import REPORT_PERIODS, report_period

DEFAULT_PERIOD = "this_month"


class VisitReportState(UrlFilters, PagedMixin, ProtectedState):
    """The paged list is the households not reached; the two tables above it are recomputed with it."""

    _PAGE_PERMISSION: ClassVar[str] = Perm.VISITS_REPORT
    _PATH: ClassVar[str] = "/visits/report"
    _FILTERS: ClassVar[tuple[str, ...]] = ("period", "community", "building")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community", "building"})
    # No period chosen is this month's (the picker's first entry): the others are chosen.
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"period": tuple(p for p in REPORT_PERIODS if p != DEFAULT_PERIOD)}
    _PICKERS: ClassVar[tuple[Picker, ...]] = PLACE_PICKERS[:2]
    communities: list[dict[str, Any]] = []
    stewards: list[dict[str, Any]] = []
    days: str = ""  # the period's first and last day

    def _filter(self) -> coverage.NotReachedFilter:
        return coverage.NotReachedFilter(community_id=optional_id(self.filters.get("community")),
                                         building_id=optional_id(self.filters.get("building")))

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return coverage.not_reached(session, self.principal, request, self._filter())

    def _load(self) -> None:
        period = report_period(self.filters.get("period") or DEFAULT_PERIOD, local_today())
        with read_only() as session:
            figures = coverage.completion(session, self.principal, period, self._filter().community_id)
        self.days = f"{period.start.isoformat()} – {period.end.isoformat()}"
        self.communities = [row.shown() for row in figures.communities]
        self.stewards = [row.shown() | {"name": row.name or self._tr("visits.unassigned")}
                         for row in figures.stewards]
        super()._load()

    @requires(Perm.VISITS_REPORT)
    async def load(self):
        self._start_filters()
        await off_loop(self._load)

    @requires(Perm.VISITS_REPORT)
    def download(self):
        f = self._filter()
        return self._start_download("visits_not_reached", {
            "community_id": f.community_id or "", "building_id": f.building_id or "", "language": self.lang})

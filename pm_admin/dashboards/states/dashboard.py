"""The dashboard page's state: filters, KPI cards, figures; every number comes from ``dashboards.kpis``."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlencode

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.dashboards import charts
from pm_admin.dashboards.files import FORMATS
from pm_admin.dashboards.periods import PERIOD_KEYS
from pm_admin.dashboards.tables import CHARTS
from pm_admin.dashboards.view import dashboard_view
from pm_admin.places.pickers import COMMUNITY_PICKER


class DashboardState(UrlFilters, ProtectedState):
    """The period and the community live in the URL (core.url_filters); the community follows the header's
    switcher unless the page picks another one of it."""

    _PAGE_PERMISSION: ClassVar[str] = Perm.DASHBOARD_VIEW
    _PATH: ClassVar[str] = "/dashboard"
    _FILTERS: ClassVar[tuple[str, ...]] = ("period", "community")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"period": PERIOD_KEYS}
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER,)
    period_text: str = ""
    cards: list[dict[str, str]] = []
    hot_topics: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    has_satisfaction: bool = False
    can_open_tickets: bool = False  # executives see the figures, not the tickets behind them
    # name → lean Plotly JSON (dashboards.view); an empty figure of each name until the first load
    figures: dict[str, dict] = {name: {"data": [], "layout": {}} for name in charts.FIGURES}
    matrix_height: str = f"{charts.HEIGHT}px"  # the heatmap grows with its building rows
    feedback_counts: dict[str, int] = {"total": 0, "tickets": 0, "suggestions": 0}
    feedback_header: list[str] = []
    feedback_rows: list[list[str]] = []
    feedback_issues: list[dict[str, Any]] = []
    group_rows: list[dict[str, str]] = []
    _built_in: str = ""  # the language of the texts and figures built here

    def _community_id(self) -> int | None:
        return optional_id(self.filters.get("community"))

    def _period(self) -> str:
        return self.filters.get("period") or PERIOD_KEYS[0]

    def _load(self) -> None:
        with read_only() as session:
            view = dashboard_view(session, self.principal, self._period(), self._community_id(), self.lang)
        self.period_text, self.cards, self.warnings = view.period_text, view.cards, view.warnings
        scope = {"community": str(self._community_id())} if self._community_id() else {}
        self.hot_topics = [{**h, "href": "/tickets?" + urlencode({"q": h["word"], "status": "all", **scope})}
                           for h in view.hot_topics]
        self.has_satisfaction, self.matrix_height = view.has_satisfaction, view.matrix_height
        self.feedback_counts, self.feedback_header = view.feedback_counts, view.feedback_header
        self.feedback_rows, self.feedback_issues = view.feedback_rows, view.feedback_issues
        self.group_rows = view.group_rows
        if view.figures != self.figures:  # an unchanged view is not sent again
            self.figures = view.figures
        self._built_in = self.lang

    def _header_community(self) -> str:
        """The community the header's switcher shows (as ``ShellState.load`` decides): the user's pick, or the
        only community they have; else every community ("")."""
        offered = [c["value"] for c in self.choices.get("community", [])]
        picked = self.principal.current_community_id
        if picked and str(picked) in offered:
            return str(picked)
        if not self.principal.all_communities and len(offered) == 1:
            return offered[0]
        return ""

    def _filter_defaults(self) -> dict[str, str]:
        return {"period": PERIOD_KEYS[0], "community": self._header_community()}

    def _pick_community(self, value: str) -> None:
        """A community the filter offers, else the header's: the filter narrows within the header's choice,
        and "all" under a picked community is that community."""
        offered = any(c["value"] == value for c in self.choices.get("community", []))
        self.filters = {**self.filters, "community": value if offered else self._header_community()}

    def _set_filter(self, key: str, value: Any) -> bool:
        if key != "community":
            return super()._set_filter(key, value)
        optional_id(value)  # a crafted id is refused
        self._pick_community(str(value))
        return True

    def _start_filters(self) -> None:
        super()._start_filters()
        self._pick_community(self.filters.get("community", ""))

    def _url_params(self) -> dict[str, str]:
        """The period, and a community other than the header's (the header's own choice stays out of the URL, so a
        reload after the header's switcher changes follows it)."""
        return {"period": self._period(), **super()._url_params()}

    @requires(Perm.DASHBOARD_VIEW)
    def load(self):
        self.can_open_tickets = self.principal.has(Perm.TICKETS_VIEW)
        self._start_filters()
        self._load()

    @requires(Perm.DASHBOARD_VIEW)
    def follow_language(self):
        """After the header's language switch: the cards' texts and the figures' labels are built here, in the
        language of their last load."""
        if self._built_in and self._built_in != self.lang:  # not before the page's first load
            self._load()

    @requires(Perm.DASHBOARD_VIEW)
    def download(self, chart: str, file_format: str):
        if chart not in CHARTS or file_format not in FORMATS:
            return None
        return self._start_download("dashboard_chart", {
            "chart": chart, "format": file_format, "period": self._period(), "community_id": self._community_id(),
            "language": self.lang})

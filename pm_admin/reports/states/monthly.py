"""/reports: a community's monthly report on screen (the tables the files hold), and its XLSX and PDF."""

from __future__ import annotations

from typing import Any, ClassVar

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.clock import local_today
from pm_admin.core.db import unit_of_work
from pm_admin.core.guard import requires
from pm_admin.core.i18n import translate
from pm_admin.core.ids import optional_id
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.places.pickers import COMMUNITY_PICKER
from pm_admin.reports import monthly_render
from pm_admin.reports.contents import sections_of
from pm_admin.reports.files import FORMATS
from pm_admin.reports.monthly import monthly_report
from pm_admin.reports.months import month_choices, month_text, previous_month
from pm_admin.reports.states.common import first_community

MONTH_PICKER = Picker("month", lambda _session, _principal, _parent, language: month_choices(local_today(), language))


class MonthlyReportState(UrlFilters, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.REPORTS_VIEW
    _PATH: ClassVar[str] = "/reports"
    _FILTERS: ClassVar[tuple[str, ...]] = ("community", "month")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER, MONTH_PICKER)
    title: str = ""
    status: str = ""
    provisional: bool = False
    sections: list[dict[str, Any]] = []  # {"title", "header": [...], "rows": [[...]]}, as the files have them

    def _filter_defaults(self) -> dict[str, str]:
        return {"community": first_community(self.principal), "month": month_text(previous_month(local_today()))}

    def _chosen(self) -> tuple[int | None, str]:
        return optional_id(self.filters.get("community")), self.filters.get("month", "")

    def _load(self) -> None:
        self.title, self.status, self.sections = "", "", []
        community_id, month = self._chosen()
        if community_id is None or not month:
            return
        # A closed month nobody asked for yet is generated and stored here: the transaction commits it.
        with unit_of_work() as session:
            report = monthly_report(session, self.principal, community_id, month)
        self.title, self.status = monthly_render.title(report, self.lang), monthly_render.status(report, self.lang)
        self.provisional = report.provisional
        self.sections = [{"key": section.key, "title": translate(f"reports.section.{section.key}", self.lang),
                          "header": table.header, "rows": [[str(cell) for cell in row] for row in table.rows]}
                         for section, data in sections_of(report.figures)
                         for table in [section.table(data, self.lang)]]

    @requires(Perm.REPORTS_VIEW)
    def load(self):
        self._start_filters()
        self._load()

    @requires(Perm.REPORTS_VIEW)
    def download(self, file_format: str):
        community_id, month = self._chosen()
        if file_format not in FORMATS or community_id is None or not month:
            return None
        self.principal.require_community(community_id)  # refused here, in a toast, not by the file route later
        return self._start_download("monthly_report", {"format": file_format, "community_id": community_id,
                                                       "month": month, "language": self.lang})

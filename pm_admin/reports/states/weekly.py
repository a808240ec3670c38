"""/reports/callback-batch: a community's repairs resolved in a week, due for callback, and the list as XLSX or PDF."""

from __future__ import annotations

from typing import ClassVar

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.clock import local_today
from pm_admin.core.db import read_only
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.dashboards.rollups import week_of
from pm_admin.places.pickers import COMMUNITY_PICKER
from pm_admin.reports import weekly_render
from pm_admin.reports.files import FORMATS
from pm_admin.reports.states.common import first_community
from pm_admin.reports.weekly import callback_batch, week_choices

WEEK_PICKER = Picker("week", lambda _session, _principal, _parent, _language: week_choices(local_today()))


class CallbackBatchState(UrlFilters, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.TICKETS_CALLBACK
    _PATH: ClassVar[str] = "/reports/callback-batch"
    _FILTERS: ClassVar[tuple[str, ...]] = ("community", "week")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER, WEEK_PICKER)
    title: str = ""
    rows: list[dict[str, str]] = []
    truncated: bool = False

    def _filter_defaults(self) -> dict[str, str]:
        return {"community": first_community(self.principal), "week": week_of(local_today()).isoformat()}

    def _chosen(self) -> tuple[int | None, str]:
        return optional_id(self.filters.get("community")), self.filters.get("week", "")

    def _load(self) -> None:
        self.title, self.rows, self.truncated = "", [], False
        community_id, week = self._chosen()
        if community_id is None or not week:
            return
        with read_only() as session:
            batch = callback_batch(session, self.principal, community_id, week, self.lang)
        self.title, self.truncated = weekly_render.title(batch, self.lang), batch["truncated"]
        self.rows = [{key: str(value) for key, value in row.items()} for row in batch["rows"]]

    @requires(Perm.TICKETS_CALLBACK)
    def load(self):
        self._start_filters()
        self._load()

    @requires(Perm.TICKETS_CALLBACK)
    def download(self, file_format: str):
        community_id, week = self._chosen()
        if file_format not in FORMATS or community_id is None or not week:
            return None
        self.principal.require_community(community_id)  # refused here, in a toast, not by the file route later
        return self._start_download("callback_batch", {"format": file_format, "community_id": community_id,
                                                       "week": week, "language": self.lang})

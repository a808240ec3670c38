"""The catalog's print layout (``/print/archives?…``): the 业主档案目录表 as filtered on the catalog page — every row of
the filtered view, not the page on screen — read by the export's query, in the reader's scope."""

from __future__ import annotations

from typing import Any, ClassVar

from pm_admin.archives import queries
from pm_admin.archives.files import remarks_cell
from pm_admin.archives.states.archives import CATALOG_FILTERS, catalog_filter
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.clock import local_text, utcnow
from pm_admin.core.db import read_only
from pm_admin.core.guard import requires
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.places.pickers import PLACE_KEYS, PLACE_PICKERS

MAX_ROWS = 2000  # about 60 A4 pages; a bigger catalog is printed building by building


class CatalogPrintState(UrlFilters, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.ARCHIVES_VIEW
    _PATH: ClassVar[str] = "/print/archives"
    _FILTERS: ClassVar[tuple[str, ...]] = CATALOG_FILTERS
    _ID_FILTERS: ClassVar[frozenset[str]] = PLACE_KEYS
    _PICKERS: ClassVar[tuple[Picker, ...]] = PLACE_PICKERS  # their labels name the places printed
    rows: list[dict[str, Any]] = []
    total: int = 0
    scope: str = ""  # "翠湖花园 · 3栋 · 档案编号 C01-3": what the filters chose
    cut_note: str = ""  # said when the view has more than MAX_ROWS rows
    printed_at: str = ""

    def _scope_text(self) -> str:
        labels = [next((o["label"] for o in self.choices.get(key, []) if o["value"] == self.filters.get(key)), "")
                  for key in ("community", "building", "unit")]
        typed = [self._tr(label, text=self.filters[key]) for key, label in
                 (("q", "archives.print_number"), ("owner", "archives.print_owner")) if self.filters.get(key)]
        return " · ".join([label for label in labels if label] + typed)

    @requires(Perm.ARCHIVES_VIEW)
    def load(self):
        self._start_filters()
        with read_only() as session:
            found, self.total = queries.catalog_export_rows(session, self.principal, catalog_filter(self.filters),
                                                            limit=MAX_ROWS)
        self.rows = [{**row.model_dump(), "remarks": remarks_cell(row.remarks, row.voided, self.lang)}
                     for row in found]
        self.cut_note = self._tr("archives.print_cut", shown=MAX_ROWS, total=self.total) \
            if self.total > MAX_ROWS else ""
        self.scope, self.printed_at = self._scope_text(), local_text(utcnow())

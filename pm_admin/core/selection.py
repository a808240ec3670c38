"""Rows ticked on a paged list for a bulk action (``ui.table.data_table(..., selectable=True)``).

``class TicketListState(SelectionMixin, UrlFilters, PagedMixin, ProtectedState)`` (the page's ``rows`` and ``_row``
are ``PagedMixin``'s): the ids ticked (``selected``, for
the checkboxes) and, on the server only, the version each row had when it was ticked, so a bulk action refuses a row
someone changed since. Only rows of the page on screen can be ticked: an id the page does not show is refused.
"""

from __future__ import annotations

import reflex as rx

from pm_admin.core.errors import DomainError
from pm_admin.core.guard import PAGE, protected_var, requires


class SelectionMixin(rx.State, mixin=True):
    selected: list[int] = []
    _seen_versions: dict[int, int] = {}

    @protected_var()
    def page_selected(self) -> bool:
        """The header checkbox is ticked when every row on screen is."""
        return bool(self.rows) and all(row["id"] in self.selected for row in self.rows)

    def _tick(self, rows: list[dict]) -> None:
        self._seen_versions = {**self._seen_versions, **{row["id"]: int(row.get("version") or 0) for row in rows}}
        self.selected = [*self.selected, *(row["id"] for row in rows if row["id"] not in self.selected)]

    @requires(PAGE)
    def toggle_row(self, row_id: int, checked: bool):
        row = self._row(row_id)
        if row is None:
            raise DomainError("error.invalid_id")
        if checked:
            self._tick([row])
        else:
            self.selected = [i for i in self.selected if i != row_id]

    @requires(PAGE)
    def toggle_page(self, checked: bool):
        if checked:
            self._tick(self.rows)
        else:
            shown = {row["id"] for row in self.rows}
            self.selected = [i for i in self.selected if i not in shown]

    @requires(PAGE)
    def clear_selection(self):
        self._clear_selection()

    def _clear_selection(self) -> None:
        self.selected, self._seen_versions = [], {}

    def _selection(self) -> dict[int, int]:
        """The ticked ids, each with the version it had when ticked."""
        return {row_id: self._seen_versions.get(row_id, 0) for row_id in self.selected}

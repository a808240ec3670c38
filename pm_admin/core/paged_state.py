"""A state mixin for server-paged lists: the state holds one page, never a table."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.guard import protected_var, requires
from pm_admin.core.paging import MAX_PAGE_SIZE, Page, PageRequest

PAGE_SIZES = ("10", "20", "50", "100")


class PagedMixin(rx.State, mixin=True):
    rows: list[dict[str, Any]] = []
    total: int = 0
    page: int = 1
    page_size: int = 20
    sort: str = ""
    descending: bool = False

    @protected_var()
    def pages(self) -> int:
        return max(1, -(-self.total // max(1, self.page_size)))

    def _page_request(self) -> PageRequest:
        return PageRequest(page=self.page, page_size=self.page_size, sort=self.sort, descending=self.descending)

    def _show(self, page: Page) -> None:
        self.rows = [row.model_dump() for row in page.rows]
        self.total = page.total
        self.page = page.page

    def _row(self, row_id: int) -> dict[str, Any] | None:
        """A row of the page on screen: ids sent by the browser only pick among what it was shown."""
        return next((row for row in self.rows if row["id"] == row_id), None)

    def _load(self) -> None:
        raise NotImplementedError

    def _after_page_change(self):
        """Events to send after paging or sorting (a page may sync its URL)."""
        return None

    @requires()
    def go_to_page(self, page: int):
        self.page = max(1, min(int(page), max(1, -(-self.total // max(1, self.page_size)))))
        self._load()
        return self._after_page_change()

    @requires()
    def set_page_size(self, size: str):
        self.page_size = min(MAX_PAGE_SIZE, max(1, int(size)))
        self.page = 1
        self._load()
        return self._after_page_change()

    @requires()
    def sort_by(self, key: str):
        if self.sort == key:
            self.descending = not self.descending
        else:
            self.sort, self.descending = key, False
        self.page = 1
        self._load()
        return self._after_page_change()

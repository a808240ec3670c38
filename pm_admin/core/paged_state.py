"""The paged-list state: the state holds one page, never a table.

A page's main grid mixes it in (``class RoomsState(PagedMixin, ProtectedState)``); a page with several lists
gives each its own substate (``class ChangesList(PagedMixin, ArchiveDetailState)``), which reads the page's
vars as its own. Either way the subclass writes ``_fetch(session, request) -> Page`` (or its own ``_load``).
Paging and sorting are checked against the state's ``_PAGE_PERMISSION``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.core.db import off_loop, read_only
from pm_admin.core.guard import PAGE, protected_var, requires
from pm_admin.core.paging import MAX_PAGE_SIZE, Page, PageRequest

PAGE_SIZES = ("10", "20", "50", "100")


class PagedMixin(rx.State, mixin=True):
    rows: list[dict[str, Any]] = []
    total: int = 0
    page: int = 1
    page_size: int = 20
    sort: str = ""
    descending: bool = False

    _PAGE_SIZE: ClassVar[int] = 20

    @protected_var()
    def pages(self) -> int:
        return max(1, -(-self.total // max(1, self.page_size)))

    def _page_request(self) -> PageRequest:
        return PageRequest(page=self.page, page_size=self.page_size, sort=self.sort, descending=self.descending)

    def _show(self, page: Page) -> None:
        self.rows = [row if isinstance(row, dict) else row.model_dump() for row in page.rows]
        self.total = page.total
        self.page = page.page

    def _row(self, row_id: int) -> dict[str, Any] | None:
        """A row of the page on screen: ids sent by the browser only pick among what it was shown."""
        return next((row for row in self.rows if row["id"] == row_id), None)

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        raise NotImplementedError

    def _load(self) -> None:
        """The current page; one emptied meanwhile (rows gone) falls back to the last page there is."""
        with read_only() as session:
            page = self._fetch(session, self._page_request())
            if not page.rows and page.page > 1 and page.total:
                self.page = max(1, -(-page.total // max(1, self.page_size)))
                page = self._fetch(session, self._page_request())
        self._show(page)

    def _after_page_change(self):
        """Events to send after paging or sorting (a page may sync its URL)."""
        return None

    @requires(PAGE)
    def refresh(self):
        """The current page again (a dialog of the page saved)."""
        self._load()

    @requires(PAGE)
    def go_to_page(self, page: int):
        self.page = max(1, min(int(page), max(1, -(-self.total // max(1, self.page_size)))))
        self._load()
        return self._after_page_change()

    @requires(PAGE)
    def set_page_size(self, size: str):
        self.page_size = min(MAX_PAGE_SIZE, max(1, int(size))) if str(size).isdigit() else self._PAGE_SIZE
        self.page = 1
        self._load()
        return self._after_page_change()

    @requires(PAGE)
    def sort_by(self, key: str):
        if self.sort == key:
            self.descending = not self.descending
        else:
            self.sort, self.descending = key, False
        self.page = 1
        self._load()
        return self._after_page_change()


async def load_lists(state: rx.State, *lists: type) -> None:
    """Reload the paged lists of a page (its PagedMixin substates), each at its current page."""
    for list_cls in lists:
        (await state.get_state(list_cls))._load()


async def first_pages(state: rx.State, *lists: type) -> None:
    """Show the first page of each list (a page opened anew)."""
    for list_cls in lists:
        paged = await state.get_state(list_cls)
        paged.page = 1
        await off_loop(paged._load)

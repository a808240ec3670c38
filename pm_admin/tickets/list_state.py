"""Ticket list: the board's filters plus status, paged and sorted in SQL; everything in the URL."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only
from pm_admin.core.guard import requires
from pm_admin.core.ids import page_number
from pm_admin.core.paged_state import PAGE_SIZES, PagedMixin
from pm_admin.core.permissions import Perm
from pm_admin.tickets import queries
from pm_admin.tickets.models import Status
from pm_admin.tickets.state_common import NewTicketMixin, TicketFiltersMixin

STATUS_FILTERS = ["open", *(str(s) for s in Status)]


class TicketListState(NewTicketMixin, TicketFiltersMixin, PagedMixin, ProtectedState):
    status: str = "open"
    can_create: bool = False

    def _load(self) -> None:
        with read_only() as session:
            self._show(queries.ticket_list(session, self.principal, self._page_request(), self._ticket_filter(),
                                           status=self.status, language=self.lang))

    def _after_page_change(self):
        params = self._filter_params()
        if self.status != "open":
            params["status"] = self.status or "all"
        if self.page > 1:
            params["page"] = str(self.page)
        if self.page_size != 20:
            params["size"] = str(self.page_size)
        if self.sort:
            params["sort"] = f"-{self.sort}" if self.descending else self.sort
        return self._replace_url("/tickets", params)

    def _after_create(self, ticket_id: int):
        return [rx.redirect(f"/tickets/{ticket_id}")]

    @requires(Perm.TICKETS_VIEW)
    def load(self):
        self.can_create = self.principal.has(Perm.TICKETS_CREATE)
        params = dict(self.router.url.query_parameters)
        self._apply_filters(params)
        status = params.get("status", "open")
        self.status = "" if status == "all" else status if status in STATUS_FILTERS else "open"
        self.page = page_number(params.get("page"))
        self.page_size = int(params["size"]) if params.get("size") in PAGE_SIZES else 20
        sort = str(params.get("sort", ""))
        self.sort, self.descending = sort.lstrip("-"), sort.startswith("-")
        self._load_choices()
        self._load()

    @requires(Perm.TICKETS_VIEW)
    def set_filter(self, key: str, value: str):
        if key == "status":
            self.status = "" if value == "all" else value if value in STATUS_FILTERS else "open"
        elif not self._set_filter_value(key, value):
            return None
        self.page = 1
        self._load()
        return self._after_page_change()

    @requires(Perm.TICKETS_VIEW)
    def toggle_filter(self, key: str, on: bool):
        return self.set_filter(key, "1" if on else "")

    @requires(Perm.TICKETS_VIEW)
    def apply_search(self, form: dict[str, Any]):
        return self.set_filter("q", str(form.get("search", "")).strip())

    @requires(Perm.TICKETS_VIEW)
    def clear_filters(self):
        self._apply_filters({})
        self.status, self.page = "open", 1
        self._load_choices()
        self._load()
        return self._after_page_change()

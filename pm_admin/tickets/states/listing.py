"""Ticket list: the board's filters plus status, paged and sorted in SQL; everything in the URL."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop
from pm_admin.core.dialog_form import close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.tickets import queries
from pm_admin.tickets.models import Status
from pm_admin.tickets.states.common import FILTER_KEYS, NewTicketForm, TicketFilters

STATUS_FILTERS = ("open", *(str(s) for s in Status))


class TicketListState(TicketFilters, PagedMixin, ProtectedState):
    _PATH: ClassVar[str] = "/tickets"
    _FILTERS: ClassVar[tuple[str, ...]] = (*FILTER_KEYS, "status")
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {**TicketFilters._CHOICES, "status": STATUS_FILTERS}
    can_create: bool = False

    def _filter_defaults(self) -> dict[str, str]:
        return {"status": "open"}

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return queries.ticket_list(session, self.principal, request, self._ticket_filter(),
                                   status=self.filters.get("status", ""), language=self.lang)

    @requires(Perm.TICKETS_VIEW)
    async def load(self):
        self.can_create = self.principal.has(Perm.TICKETS_CREATE)
        self._start_filters()
        await off_loop(self._load)
        await close_dialogs(self)


class ListNewTicket(NewTicketForm, TicketListState):
    def _after_create(self, ticket_id: int, tier: str) -> list:
        return [rx.redirect(f"/tickets/{ticket_id}")]

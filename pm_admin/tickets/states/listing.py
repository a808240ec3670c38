"""Ticket list: the board's filters plus status, paged and sorted in SQL; everything in the URL. The view as shown
downloads as the ledger 工单台账; ticked rows are assigned or re-tiered in bulk (``services.bulk``)."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import DomainError
from pm_admin.core.guard import requires
from pm_admin.core.ids import is_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.selection import SelectionMixin
from pm_admin.tickets import queries
from pm_admin.tickets.ledger import LedgerView
from pm_admin.tickets.models import Status
from pm_admin.tickets.services import bulk
from pm_admin.tickets.states.common import FILTER_KEYS, NewTicketForm, TicketFilters

STATUS_FILTERS = ("open", *(str(s) for s in Status))


class TicketListState(SelectionMixin, TicketFilters, PagedMixin, ProtectedState):
    _PATH: ClassVar[str] = "/tickets"
    _FILTERS: ClassVar[tuple[str, ...]] = (*FILTER_KEYS, "status")
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {**TicketFilters._CHOICES, "status": STATUS_FILTERS}
    can_create: bool = False
    can_work: bool = False  # the bulk actions (tickets.work)
    # What the last bulk action did: a summary and the tickets it refused, each with the reason.
    bulk_summary: str = ""
    bulk_refused: list[dict[str, str]] = []

    def _filter_defaults(self) -> dict[str, str]:
        return {"status": "open"}

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return queries.ticket_list(session, self.principal, request, self._ticket_filter(),
                                   status=self.filters.get("status", ""), language=self.lang)

    def _filters_changed(self) -> None:
        self._clear_selection()  # what was ticked may not be in the new view

    @requires(Perm.TICKETS_VIEW)
    async def load(self):
        self.can_create = self.principal.has(Perm.TICKETS_CREATE)
        self.can_work = self.principal.has(Perm.TICKETS_WORK)
        self._clear_selection()
        self.bulk_summary, self.bulk_refused = "", []
        self._start_filters()
        await off_loop(self._load)
        await close_dialogs(self)

    @requires(Perm.TICKETS_VIEW)
    def export_ledger(self):
        """The ledger of the view as shown: its filters, status and sort (the file is made for the reader's scope)."""
        view = LedgerView(self._ticket_filter(), self.filters.get("status", ""), self.sort, self.descending)
        return self._start_download("ticket_ledger", view.params(self.lang))

    @requires(Perm.TICKETS_VIEW)
    def dismiss_bulk_result(self):
        self.bulk_summary, self.bulk_refused = "", []


class ListNewTicket(NewTicketForm, TicketListState):
    def _after_create(self, ticket_id: int, tier: str) -> list:
        return [rx.redirect(f"/tickets/{ticket_id}")]


class BulkForm(DialogForm, mixin=True):
    """A bulk action's dialog on the list (``class BulkTierForm(BulkForm, TicketListState)``): it asks for the one
    value, then runs the action on every ticked ticket and shows what it did."""

    _DONE: ClassVar[str] = ""

    def _open_bulk(self, values: dict[str, Any]) -> None:
        if not self.selected:
            raise DomainError("tickets.bulk_none")
        self._open(values, subject={"count": len(self.selected)})

    def _saved(self, result: Any = None):
        self._close()
        self.bulk_summary = self._tr(self._DONE, done=len(result.done), refused=len(result.refused))
        self.bulk_refused = [{"code": r.code or self._tr("tickets.bulk_unknown", id=r.ticket_id),
                              "reason": self._tr(r.key, **r.params)} for r in result.refused]
        self._clear_selection()
        self._load()
        return rx.toast.success(self.bulk_summary) if not result.refused else rx.toast.warning(self.bulk_summary)


class BulkAssignForm(BulkForm, TicketListState):
    """批量指派: to staff of the tickets' community (offered: the staff of the ticked tickets' communities)."""

    _DONE: ClassVar[str] = "tickets.bulk_assigned"
    assignees: list[dict[str, str]] = []

    @requires(Perm.TICKETS_WORK)
    def open_bulk_assign(self):
        with read_only() as session:
            self.assignees = queries.bulk_assignee_options(session, self.principal, self.selected)
        self._open_bulk({"assignee_id": ""})

    @requires(Perm.TICKETS_WORK)
    def save(self, form: dict[str, Any]):
        raw = form.get("assignee_id")
        assignee_id = int(raw) if is_id(raw) else None  # none or a crafted one: refused beside the picker
        return self._submit(form, lambda session: bulk.bulk_assign(
            session, actor=self.principal, versions=self._selection(), assignee_id=assignee_id))


class BulkTierForm(BulkForm, TicketListState):
    """批量改等级: 紧急 / 重要 / 一般, new deadlines for each."""

    _DONE: ClassVar[str] = "tickets.bulk_tiered"

    @requires(Perm.TICKETS_WORK)
    def open_bulk_tier(self):
        self._open_bulk({"tier": ""})

    @requires(Perm.TICKETS_WORK)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: bulk.bulk_tier(
            session, actor=self.principal, versions=self._selection(), tier=str(form.get("tier", ""))))

"""Kanban board state: one tier at a time, a column per status, 50 cards per column and "load more".

Each column is its own var, so a move re-sends the columns that changed, not the board. The board
polls a cheap change stamp every few seconds to show other people's moves.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import ConcurrencyConflict, NotFound, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.permissions import Perm
from pm_admin.tickets import queries
from pm_admin.tickets.models import BOARD_STATUSES, Tier
from pm_admin.tickets.services import actions, workflow
from pm_admin.tickets.states.common import NewTicketForm, TicketFilters

TIERS = [str(t) for t in Tier]  # 紧急 first
DROP_STATUSES = {str(s) for s in queries.DROP_STATUSES}
MOVE_FIELDS = ("assignee_id", "reason", "hold_until", "resolution")


def show_card(ticket_id: int, status: str):
    """Scroll the card just moved or registered into view (once the new columns are drawn)."""
    selector = json.dumps(f'[data-testid="column-{status}"] [data-drag-id="{ticket_id}"]')
    return rx.call_script(
        f"(() => {{ let tries = 0; const show = () => {{ const card = document.querySelector({selector}); "
        f"if (card) card.scrollIntoView({{block: 'nearest'}}); else if (tries++ < 40) setTimeout(show, 50); }}; "
        f"setTimeout(show, 30); }})()")


class TicketBoardState(TicketFilters, ProtectedState):
    _PATH: ClassVar[str] = "/tickets/board"
    tier: str = Tier.URGENT.value
    tier_counts: dict[str, int] = {}
    counts: dict[str, int] = {}
    col_new: list[dict[str, Any]] = []
    col_assigned: list[dict[str, Any]] = []
    col_in_progress: list[dict[str, Any]] = []
    col_on_hold: list[dict[str, Any]] = []
    col_resolved: list[dict[str, Any]] = []
    can_create: bool = False
    can_work: bool = False
    moved: int = 0  # the card this user just moved or registered: first in its column, highlighted
    drag_reasons: dict[str, str] = {}  # while a card is dragged: target status -> why the workflow forbids it
    _limits: dict[str, int] = {}
    _first: list[int] = []  # cards this user moved here, newest first: shown at the top of their columns
    _FIRST_KEPT: ClassVar[int] = 10
    _stamp: str = ""

    # ------------------------------------------------------------ loading

    def _columns(self) -> dict[str, list[dict[str, Any]]]:
        return {str(s): getattr(self, f"col_{s}") for s in BOARD_STATUSES}

    def _card(self, ticket_id: int | None) -> dict[str, Any] | None:
        """A card on screen: ids from the browser only pick among what this user was shown."""
        return next((c for cards in self._columns().values() for c in cards if c["id"] == ticket_id), None)

    def _load(self) -> None:
        principal, filters = self.principal, self._ticket_filter()
        with read_only() as session:
            board = queries.board(session, principal, filters, self.tier, limits=self._limits, first=self._first,
                                  language=self.lang)
            self._stamp = queries.board_stamp(session, principal)
        self.tier_counts, self.counts = board.tier_counts, board.columns
        for status, cards in board.cards.items():
            rows = [card.model_dump() for card in cards]
            if rows != getattr(self, f"col_{status}"):  # unchanged columns are not re-sent
                setattr(self, f"col_{status}", rows)

    def _extra_params(self) -> dict[str, str]:
        return {"tier": self.tier} if self.tier != Tier.URGENT.value else {}

    def _read_extra(self, params: dict[str, str]) -> None:
        self.tier = params.get("tier") if params.get("tier") in TIERS else Tier.URGENT.value

    def _filters_changed(self) -> None:
        self._limits, self._first, self.moved = {}, [], 0

    def _put_first(self, ticket_id: int) -> None:
        self._first = [ticket_id, *[i for i in self._first if i != ticket_id]][:self._FIRST_KEPT]
        self.moved = ticket_id

    @requires(Perm.TICKETS_VIEW)
    async def load(self):
        principal = self.principal
        self.can_create, self.can_work = principal.has(Perm.TICKETS_CREATE), principal.has(Perm.TICKETS_WORK)
        self._limits, self._first, self.moved, self.drag_reasons = {}, [], 0, {}
        self._start_filters()
        await off_loop(self._load)
        await close_dialogs(self)

    @requires(Perm.TICKETS_VIEW)
    def set_tier(self, tier: str):
        if tier in TIERS:
            self.tier, self._limits, self._first, self.moved = tier, {}, [], 0
            self._load()
        return self._sync_url()

    @requires(Perm.TICKETS_VIEW)
    def load_more(self, status: str):
        if status in self._columns():
            self._limits = {**self._limits, status: self._limits.get(status, queries.CARDS_PER_COLUMN)
                            + queries.CARDS_PER_COLUMN}
            self._load()

    @requires(Perm.TICKETS_VIEW, poll=True)
    def poll(self, _tick: str = ""):
        """Reload only when something in the user's communities changed since the last load."""
        with read_only() as session:
            stamp = queries.board_stamp(session, self.principal)
        if stamp != self._stamp:
            self._load()

    @requires(workflow.MOVERS)
    def drag_start(self, payload: dict[str, Any]):
        """A card is picked up: why the workflow forbids each target it may not go to (the dimmed ones)."""
        card = self._card(optional_id(payload.get("dragId") if isinstance(payload, dict) else None))
        if card is None:
            self.drag_reasons = {}
            return
        with read_only() as session:
            keys = queries.drop_refusals(session, self.principal, card["id"])
        self.drag_reasons = {status: self._tr(key) for status, key in keys.items()}

    @requires(workflow.MOVERS)
    def drag_end(self, _payload: dict[str, Any] | None = None):
        self.drag_reasons = {}

    @requires(workflow.MOVERS)
    async def drop(self, payload: dict[str, Any]):
        """A card dropped on a column: the workflow service decides; a refusal leaves the card where it was, a move
        that needs input opens the move dialog."""
        source = payload.get("source") if isinstance(payload, dict) else None
        to_status = str(payload.get("dropId", "")) if isinstance(payload, dict) else ""
        card = self._card(optional_id((source or {}).get("dragId")))
        if card is None:
            raise NotFound("ticket")
        if to_status not in DROP_STATUSES or to_status == card["status"]:
            return None
        form = await self.get_state(MoveForm)
        return await off_loop(form._move, card, to_status, int(card["version"]), actions.ActionInput())


class MoveForm(DialogForm, TicketBoardState):
    """A move that needs input: the card's code and title and the target (``subject``), which fields it asks for
    (``needs``); the card's id and the version it was dragged at stay on the server."""

    needs: list[str] = []
    assignees: list[dict[str, str]] = []

    def _move(self, card: dict[str, Any], to_status: str, version: int, data: actions.ActionInput):
        try:
            with unit_of_work() as session:
                actions.drop(session, actor=self.principal, ticket_id=card["id"], expected_version=version,
                             to_status=to_status, data=data)
        except actions.NeedsInput as needs:
            if self.opened and self._record_id == card["id"]:  # the dialog was sent with a required field empty
                self.errors = {field: self._tr("error.required") for field in needs.fields}
                return None
            return self._ask(card, to_status, needs.fields)
        except ConcurrencyConflict:
            self._close()
            self._load()
            return rx.toast.warning(self._tr("tickets.moved_by_someone", code=card["code"]), duration=6000)
        except ValidationFailed as error:
            messages = self._field_messages(error)
            if self.opened and set(messages) <= set(self.needs):
                self.errors = messages
                return None
            self._close()
            return rx.toast.error(next(iter(messages.values())), duration=6000)
        self._close()
        if to_status in self._columns():
            self._put_first(card["id"])
        self._load()
        toast = rx.toast.success(self._tr("tickets.moved", code=card["code"],
                                          status=self._tr(f"tickets.status.{to_status}")))
        return [toast, show_card(card["id"], to_status)] if to_status in self._columns() else toast

    def _ask(self, card: dict[str, Any], to_status: str, fields: tuple[str, ...]):
        self.needs = list(fields)
        if "assignee_id" in fields:
            with read_only() as session:
                community_id = queries.community_of(session, self.principal, card["id"])
                self.assignees = queries.assignee_options(session, self.principal, community_id)
        self._open({key: "" for key in MOVE_FIELDS}, record_id=card["id"], version=int(card["version"]),
                   subject={"code": card["code"], "title": card["title"], "to": to_status})
        return None

    @requires(workflow.MOVERS)
    def save(self, form: dict[str, Any]):
        self._require_open()
        card = self._card(self._record_id)
        if card is None:  # gone from the board meanwhile
            self._close()
            return None
        values = {key: str(form.get(key, "")) for key in MOVE_FIELDS}
        self._keep_input(values)
        data = actions.ActionInput(assignee_id=optional_id(values["assignee_id"]), reason=values["reason"],
                                  hold_until=values["hold_until"], resolution=values["resolution"])
        return self._move(card, str(self.subject.get("to", "")), self._version, data)


class BoardNewTicket(NewTicketForm, TicketBoardState):
    def _after_create(self, ticket_id: int, tier: str) -> list:
        """The board shows the new ticket: its tier's tab, first in its column, highlighted."""
        if tier in TIERS and tier != self.tier:
            self.tier, self._limits, self._first = tier, {}, []
        self._put_first(ticket_id)
        self._load()
        status = next((s for s, cards in self._columns().items() if any(c["id"] == ticket_id for c in cards)), "")
        return [self._sync_url(), *([show_card(ticket_id, status)] if status else [])]

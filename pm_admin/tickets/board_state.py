"""Kanban board state: one tier at a time, a column per status, 50 cards per column and "load more".

Each column is its own var, so a move re-sends the columns that changed, not the board. The board
polls a cheap change stamp every few seconds to show other people's moves.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import ConcurrencyConflict, NotFound, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.permissions import Perm
from pm_admin.tickets import queries
from pm_admin.tickets.models import BOARD_STATUSES, Status, Tier
from pm_admin.tickets.services import actions, workflow
from pm_admin.tickets.state_common import NewTicketMixin, TicketFiltersMixin

TIERS = [str(t) for t in Tier]  # 紧急 first
DROP_STATUSES = {str(s) for s in (*BOARD_STATUSES, Status.CLOSED, Status.CANCELLED, Status.INVALID)}
MOVE_FIELDS = ("assignee_id", "reason", "hold_until", "resolution")


class TicketBoardState(NewTicketMixin, TicketFiltersMixin, ProtectedState):
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
    # A move that needs input: the card, its target and which fields the dialog asks for.
    pending: dict[str, Any] = {}
    pending_fields: list[str] = []
    pending_assignees: list[dict[str, str]] = []
    pending_values: dict[str, str] = {}
    move_errors: dict[str, str] = {}
    move_key: int = 0
    _limits: dict[str, int] = {}
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
            board = queries.board(session, principal, filters, self.tier, limits=self._limits, language=self.lang)
            self._stamp = queries.board_stamp(session, principal)
        self.tier_counts, self.counts = board.tier_counts, board.columns
        for status, cards in board.cards.items():
            rows = [card.model_dump() for card in cards]
            if rows != getattr(self, f"col_{status}"):  # unchanged columns are not re-sent
                setattr(self, f"col_{status}", rows)

    def _sync_url(self):
        params = self._filter_params()
        if self.tier != Tier.URGENT.value:
            params["tier"] = self.tier
        return self._replace_url("/tickets/board", params)

    def _after_create(self, ticket_id: int):
        self._load()
        return []

    @requires(Perm.TICKETS_VIEW)
    def load(self):
        principal = self.principal
        self.can_create, self.can_work = principal.has(Perm.TICKETS_CREATE), principal.has(Perm.TICKETS_WORK)
        params = dict(self.router.url.query_parameters)
        self._apply_filters(params)
        self.tier = params.get("tier") if params.get("tier") in TIERS else Tier.URGENT.value
        self._limits, self.pending = {}, {}
        self._load_choices()
        self._load()

    @requires(Perm.TICKETS_VIEW)
    def set_tier(self, tier: str):
        if tier in TIERS:
            self.tier, self._limits = tier, {}
            self._load()
        return self._sync_url()

    @requires(Perm.TICKETS_VIEW)
    def set_filter(self, key: str, value: str):
        if self._set_filter_value(key, value):
            self._limits = {}
            self._load()
        return self._sync_url()

    @requires(Perm.TICKETS_VIEW)
    def toggle_filter(self, key: str, on: bool):
        return self.set_filter(key, "1" if on else "")

    @requires(Perm.TICKETS_VIEW)
    def apply_search(self, form: dict[str, Any]):
        return self.set_filter("q", str(form.get("search", "")).strip())

    @requires(Perm.TICKETS_VIEW)
    def clear_filters(self):
        self._apply_filters({})
        self._limits = {}
        self._load_choices()
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

    # ------------------------------------------------------------ moving cards

    def _move(self, card: dict[str, Any], to_status: str, data: actions.ActionInput):
        try:
            with unit_of_work() as session:
                actions.drop(session, actor=self.principal, ticket_id=card["id"], expected_version=card["version"],
                              to_status=to_status, data=data)
        except actions.NeedsInput as needs:
            if self.pending.get("id") == card["id"]:  # the dialog was sent with a required field empty
                self.move_errors = {field: self._tr("error.required") for field in needs.fields}
                self.move_key += 1
                return None
            return self._ask(card, to_status, needs.fields)
        except ConcurrencyConflict:
            self.pending = {}
            self._load()
            return rx.toast.warning(self._tr("tickets.moved_by_someone", code=card["code"]), duration=6000)
        except ValidationFailed as error:
            messages = self._field_messages(error)
            if self.pending and set(messages) <= set(self.pending_fields):
                self.move_errors, self.move_key = messages, self.move_key + 1  # the dialog keeps pending_values
                return None
            self.pending = {}
            return rx.toast.error(next(iter(messages.values())), duration=6000)
        self.pending = {}
        self._load()
        return rx.toast.success(self._tr("tickets.moved", code=card["code"],
                                         status=self._tr(f"tickets.status.{to_status}")))

    def _ask(self, card: dict[str, Any], to_status: str, fields: tuple[str, ...]):
        self.pending = {"id": card["id"], "code": card["code"], "title": card["title"], "to": to_status}
        self.pending_fields, self.move_errors, self.move_key = list(fields), {}, self.move_key + 1
        self.pending_values = {key: "" for key in MOVE_FIELDS}
        if "assignee_id" in fields:
            with read_only() as session:
                community_id = queries.community_of(session, self.principal, card["id"])
                self.pending_assignees = queries.assignee_options(session, self.principal, community_id)
        return None

    @requires(workflow.MOVERS)
    def drop(self, payload: dict[str, Any]):
        """A card dropped on a column: the workflow service decides; a refusal leaves the card where it was."""
        source = payload.get("source") if isinstance(payload, dict) else None
        to_status = str(payload.get("dropId", "")) if isinstance(payload, dict) else ""
        card = self._card(optional_id((source or {}).get("dragId")))
        if card is None:
            raise NotFound("ticket")
        if to_status not in DROP_STATUSES or to_status == card["status"]:
            return None
        return self._move(card, to_status, actions.ActionInput())

    @requires(workflow.MOVERS)
    def confirm_move(self, form: dict[str, Any]):
        card = self._card(self.pending.get("id"))
        if card is None:
            self.pending = {}
            return None
        values = {key: str(form.get(key, "")) for key in MOVE_FIELDS}
        self.pending_values = values
        data = actions.ActionInput(assignee_id=optional_id(values["assignee_id"]), reason=values["reason"],
                                  hold_until=values["hold_until"], resolution=values["resolution"])
        return self._move(card, self.pending["to"], data)

    @requires()
    def cancel_move(self, _open: bool = False):
        self.pending = {}

"""What the board and the list share: filters that live in the URL, filter choices, the new-ticket form."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import id_text, optional_id
from pm_admin.core.masking import mask_phone
from pm_admin.core.permissions import Perm
from pm_admin.places.queries import community_options, room_id_by_code
from pm_admin.tickets import queries
from pm_admin.tickets.models import Channel, Kind, Tier
from pm_admin.tickets.services import registration
from pm_admin.tickets.services.contact import ContactInput, owner_contact

FILTER_KEYS = ("community", "department", "assignee", "mine", "category", "building", "overdue", "kind", "q")
ID_FILTER_KEYS = ("community", "department", "assignee", "category", "building")
NEW_TICKET = {"kind": Kind.COMPLAINT.value, "category_id": "", "tier": Tier.NORMAL.value,
              "channel": Channel.HOTLINE.value, "room_code": "", "community_id": "", "title": "", "description": "",
              "contact_name": "", "contact_phone": "", "contact_relation": "", "contact_time": ""}


class TicketFiltersMixin(rx.State, mixin=True):
    filters: dict[str, str] = {key: "" for key in FILTER_KEYS}
    community_choices: list[dict[str, str]] = []
    department_choices: list[dict[str, str]] = []
    assignee_choices: list[dict[str, str]] = []
    category_choices: list[dict[str, str]] = []

    def _ticket_filter(self) -> queries.TicketFilter:
        f = self.filters
        mine = f.get("mine") == "1"
        return queries.TicketFilter(
            community_id=optional_id(f.get("community")), department_id=optional_id(f.get("department")),
            assignee_id=self.principal.user_id if mine else optional_id(f.get("assignee")),
            category_id=optional_id(f.get("category")), building_id=optional_id(f.get("building")), overdue=f.get("overdue") == "1", kind=f.get("kind", ""),
            search=f.get("q", ""))

    def _apply_filters(self, params: dict[str, str]) -> None:
        self.filters = {key: id_text(params.get(key)) if key in ID_FILTER_KEYS else str(params.get(key, ""))[:64]
                        for key in FILTER_KEYS}

    def _filter_params(self) -> dict[str, str]:
        return {key: value for key, value in self.filters.items() if value}

    def _replace_url(self, path: str, params: dict[str, str]):
        url = f"{path}?{urlencode(params)}" if params else path
        return rx.call_script(f"window.history.replaceState(null, '', {json.dumps(url)})")

    def _load_choices(self) -> None:
        principal = self.principal
        with read_only() as session:
            self.community_choices = [{"value": str(i), "label": n}
                                      for i, n in community_options(session, principal, whole_scope=False)]
            self.department_choices = queries.department_options(session, self.lang)
            self.assignee_choices = queries.assignee_options(session, principal, optional_id(self.filters.get("community")))
            self.category_choices = queries.category_options(session, self.lang)

    def _set_filter_value(self, key: str, value: str) -> bool:
        if key not in FILTER_KEYS:
            return False
        value = "" if value in ("all", None) else str(value)[:64]
        if key in ID_FILTER_KEYS:
            optional_id(value)  # a crafted id is refused here, before it is kept
        self.filters = {**self.filters, key: value}
        if key == "community":
            self._load_choices()
        return True


class NewTicketMixin(rx.State, mixin=True):
    """The 登记 dialog: a hotline call or a front-desk visit becomes a ticket."""

    new_open: bool = False
    new_form: dict[str, str] = dict(NEW_TICKET)
    new_errors: dict[str, str] = {}
    new_key: int = 0
    new_contact_hint: str = ""  # "张三（业主）138****5678": who the ticket names when the contact is left blank

    def _after_create(self, ticket_id: int):
        raise NotImplementedError

    @requires(Perm.TICKETS_CREATE)
    def preview_contact(self, room_code: str):
        with read_only() as session:
            room_id = room_id_by_code(session, self.principal, str(room_code)[:40]) if str(room_code).strip() else None
            contact = owner_contact(session, room_id)
        self.new_contact_hint = self._tr("tickets.contact_default", name=contact.name,
                                         phone=mask_phone(contact.phone)) if contact.name else ""

    @requires(Perm.TICKETS_CREATE)
    def open_new(self):
        self.new_form, self.new_errors, self.new_open, self.new_contact_hint = dict(NEW_TICKET), {}, True, ""
        if self.filters.get("community"):
            self.new_form["community_id"] = self.filters["community"]
        self.new_key += 1

    @requires()
    def close_new(self, _open: bool = False):
        self.new_open = False

    @requires(Perm.TICKETS_CREATE)
    def create(self, form: dict[str, Any]):
        submitted = {key: str(form.get(key, "")) for key in NEW_TICKET}
        try:
            with unit_of_work() as session:
                room_id = None
                if submitted["room_code"].strip():
                    room_id = room_id_by_code(session, self.principal, submitted["room_code"])
                    if room_id is None:
                        raise ValidationFailed({"room_code": ("owners.room_unknown", {})})
                data = registration.TicketInput(
                    kind=submitted["kind"], category_id=submitted["category_id"], tier=submitted["tier"],
                    channel=submitted["channel"], title=submitted["title"], description=submitted["description"],
                    room_id=room_id, community_id=optional_id(submitted["community_id"]),
                    contact=ContactInput(name=submitted["contact_name"], phone=submitted["contact_phone"],
                                         relation=submitted["contact_relation"],
                                         preferred_time=submitted["contact_time"]))
                ticket = registration.create_ticket(session, actor=self.principal, data=data)
                ticket_id, code = ticket.id, ticket.code
        except ValidationFailed as error:
            errors = self._field_messages(error)
            if "room_id" in errors:  # the form asks for a room code
                errors["room_code"] = errors.pop("room_id")
            # A typed phone is kept for the next try only as what the user typed (never shown masked from the server).
            self.new_form, self.new_errors, self.new_key = submitted, errors, self.new_key + 1
            return None
        self.new_open = False
        return [rx.toast.success(self._tr("tickets.created", code=code)), *(self._after_create(ticket_id) or [])]

"""What the board and the list share: their filters (core.url_filters) and the new-ticket dialog."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.core.db import read_only
from pm_admin.core.dialog_form import DialogForm
from pm_admin.core.errors import ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.masking import mask_phone
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.places.pickers import COMMUNITY_PICKER
from pm_admin.places.queries import room_id_by_code
from pm_admin.tickets import queries
from pm_admin.tickets.models import Channel, Kind, Tier
from pm_admin.tickets.services import registration
from pm_admin.tickets.services.contact import ContactInput, owner_contact

FILTER_KEYS = ("community", "department", "assignee", "mine", "category", "building", "overdue", "kind", "q")
ID_FILTER_KEYS = frozenset({"community", "department", "assignee", "category", "building"})
NEW_TICKET = {"kind": Kind.COMPLAINT.value, "category_id": "", "tier": Tier.NORMAL.value,
              "channel": Channel.HOTLINE.value, "room_code": "", "community_id": "", "title": "", "description": "",
              "contact_name": "", "contact_phone": "", "contact_relation": "", "contact_time": ""}
TICKET_PICKERS = (
    COMMUNITY_PICKER,
    Picker("department", lambda session, _principal, _parent, lang: queries.department_options(session, lang)),
    # Staff of the chosen community (of all the user's communities when none is chosen).
    Picker("assignee", lambda session, principal, community, _lang: queries.assignee_options(
        session, principal, community), parent="community"),
    Picker("category", lambda session, _principal, _parent, lang: queries.category_options(session, lang)),
)


class TicketFilters(UrlFilters, mixin=True):
    """Community, department, assignee, mine, category, building, overdue, kind and the search: in the URL."""

    _PAGE_PERMISSION: ClassVar[str] = Perm.TICKETS_VIEW
    _FILTERS: ClassVar[tuple[str, ...]] = FILTER_KEYS
    _ID_FILTERS: ClassVar[frozenset[str]] = ID_FILTER_KEYS
    _FLAGS: ClassVar[frozenset[str]] = frozenset({"mine", "overdue"})
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"kind": tuple(k.value for k in Kind)}
    _PICKERS: ClassVar[tuple[Picker, ...]] = TICKET_PICKERS

    def _ticket_filter(self) -> queries.TicketFilter:
        f = self.filters
        mine = f.get("mine") == "1"
        return queries.TicketFilter(
            community_id=optional_id(f.get("community")), department_id=optional_id(f.get("department")),
            assignee_id=self.principal.user_id if mine else optional_id(f.get("assignee")),
            category_id=optional_id(f.get("category")), building_id=optional_id(f.get("building")),
            overdue=f.get("overdue") == "1", kind=f.get("kind", ""), search=f.get("q", ""))


class NewTicketForm(DialogForm, mixin=True):
    """The 登记 dialog: a hotline call or a front-desk visit becomes a ticket (one subclass per page)."""

    _PRIVATE: ClassVar[frozenset[str]] = frozenset({"contact_phone"})
    contact_hint: str = ""  # "张三（业主）138****5678": who the ticket names when the contact is left blank

    def _after_create(self, ticket_id: int, tier: str) -> list:
        raise NotImplementedError

    @requires(Perm.TICKETS_CREATE)
    def open_new(self):
        self.contact_hint = ""
        self._open({**NEW_TICKET, "community_id": self.filters.get("community", "")})

    @requires(Perm.TICKETS_CREATE)
    def preview_contact(self, room_code: str):
        with read_only() as session:
            room_id = room_id_by_code(session, self.principal, str(room_code)[:40]) if str(room_code).strip() else None
            contact = owner_contact(session, room_id)
        self.contact_hint = self._tr("tickets.contact_default", name=contact.name,
                                     phone=mask_phone(contact.phone)) if contact.name else ""

    @requires(Perm.TICKETS_CREATE)
    def save(self, form: dict[str, Any]):
        submitted = {key: str(form.get(key, "")) for key in NEW_TICKET}
        return self._submit(form, lambda session: self._create(session, submitted))

    def _create(self, session, submitted: dict[str, str]):
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
                                 relation=submitted["contact_relation"], preferred_time=submitted["contact_time"]))
        ticket = registration.create_ticket(session, actor=self.principal, data=data)
        return ticket.id, ticket.code, str(ticket.tier)

    def _refused(self, error, submitted: dict[str, Any]) -> None:
        super()._refused(error, submitted)
        if "room_id" in self.errors:  # the form asks for a room code
            self.errors = {**{k: v for k, v in self.errors.items() if k != "room_id"}, "room_code": self.errors["room_id"]}

    def _saved(self, result: Any = None):
        ticket_id, code, tier = result
        self._close()
        # The code in the toast opens the ticket.
        toast = rx.toast.success(self._tr("tickets.created_toast"), duration=8000, action={
            "label": code, "on_click": rx.redirect(f"/tickets/{ticket_id}")}, class_name="toast-ticket-created")
        return [toast, *self._after_create(ticket_id, tier)]

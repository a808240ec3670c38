"""Owner grid state: filters and page live in the URL, the state holds one page."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import parse_qsl

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.crypto import decrypt, encrypt
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.permissions import Perm
from pm_admin.core.saved_views import delete_view, list_views, save_view
from pm_admin.core.selection import SelectionMixin
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.owners import lookups, queries
from pm_admin.owners.files import export_params
from pm_admin.owners.grid_view import (
    COLUMNS,
    DEFAULT_COLUMNS,
    FILTER_KEYS,
    ID_FILTER_KEYS,
    GridView,
    parse_query,
    query_string,
)
from pm_admin.owners.models import Gender
from pm_admin.owners.services import bulk as owner_bulk
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import records as owner_records
from pm_admin.owners.services import registry as owner_registry
from pm_admin.owners.states.duplicate_offer import RegisteredOwnerOffer
from pm_admin.places.models import Occupancy
from pm_admin.places.pickers import PLACE_PICKERS

__all__ = ["COLUMNS", "OwnerForm", "OwnersState", "form_owner_input", "split_tags"]

PAGE = "owners"
NEW_OWNER = {"room_code": "", "name": "", "gender": Gender.UNKNOWN.value, "id_number": "", "birth_date": "",
             "phone": "", "phone2": "", "address": "", "is_vip": False, "tags": "", "share": "100", "notes": ""}



def split_tags(text: str) -> list[str]:
    return [t for t in text.replace("，", ",").replace("、", ",").split(",") if t.strip()]


def form_owner_input(form: dict[str, Any]) -> owner_input.OwnerInput:
    return owner_input.OwnerInput(
        name=str(form.get("name", "")), gender=str(form.get("gender") or Gender.UNKNOWN.value),
        id_number=str(form.get("id_number", "")), phones=[str(form.get("phone", "")), str(form.get("phone2", ""))],
        address=str(form.get("address", "")), is_vip=bool(form.get("is_vip")),
        tags=split_tags(str(form.get("tags", ""))), notes=str(form.get("notes", "")),
        birth_date=str(form.get("birth_date") or ""))


# The tags in use in the user's communities, for the tag filter.
TAG_PICKER = Picker("tag", lambda session, principal, _parent, _lang: [
    {"value": tag, "label": tag} for tag in queries.tag_options(session, principal)])


class OwnersState(SelectionMixin, UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.OWNERS_VIEW
    _PATH: ClassVar[str] = "/owners"
    _FILTERS: ClassVar[tuple[str, ...]] = FILTER_KEYS
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset(ID_FILTER_KEYS)
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"occupancy": tuple(o.value for o in Occupancy),
                                                      "vip": ("yes", "no"), "arrears": ("yes", "no")}
    _PICKERS: ClassVar[tuple[Picker, ...]] = (*PLACE_PICKERS, TAG_PICKER)
    columns: list[str] = list(DEFAULT_COLUMNS)
    views: list[dict[str, Any]] = []
    can_edit: bool = False
    can_export: bool = False
    can_export_pii: bool = False
    can_import: bool = False
    # A phone/ID number search, encrypted (see _search); never in a public var, the URL or a saved view.
    _search_enc: str = ""
    # The blind index of the phone / ID number search last audited: turning its pages is not a new lookup.
    _looked_up: str = ""

    # ------------------------------------------------------------ URL <-> state (core.url_filters, plus q and cols)

    def _search(self) -> str:
        """The search as typed: a phone or ID number lives only encrypted in ``_search_enc`` (the browser
        and the address bar get its masked form in ``filters["q"]``)."""
        return decrypt(self._search_enc) if self._search_enc else self.filters.get("q", "")

    def _set_search(self, text: str) -> None:
        if queries.personal_search(text):
            self._search_enc = encrypt(text.strip()) or ""
            self.filters = {**self.filters, "q": queries.masked_search(text)}
        else:
            self._search_enc = ""
            self.filters = {**self.filters, "q": text}

    def _owner_filter(self) -> queries.OwnerFilter:
        f = self.filters
        return queries.OwnerFilter(
            community_id=optional_id(f.get("community")), building_id=optional_id(f.get("building")),
            unit_id=optional_id(f.get("unit")), occupancy=f.get("occupancy", ""), vip=f.get("vip", ""),
            tag=f.get("tag", ""), arrears=f.get("arrears", ""), search=self._search())

    def _view(self) -> GridView:
        return GridView(filters={**self.filters, "q": self._search()}, page=self.page, page_size=self.page_size,
                        sort=self.sort, descending=self.descending, columns=tuple(self.columns))

    def _url_query(self) -> str:
        return query_string(self._view())

    def _read_url(self, params: dict[str, Any]) -> None:
        view = parse_query(params, known_search=self._search())
        self.filters = dict(view.filters)
        self._set_search(view.filters["q"])
        self.page, self.page_size = view.page, view.page_size
        self.sort, self.descending, self.columns = view.sort, view.descending, list(view.columns)

    def _set_filter(self, key: str, value: Any) -> bool:
        if key != "q":
            return super()._set_filter(key, value)
        text = "" if value in (None, "all") else str(value)[:64]
        if not (self._search_enc and text == self.filters.get("q")):  # the masked text sent back: same search
            self._set_search(text)
        self.page = 1
        return True

    def _filters_changed(self) -> None:
        if not self.filters.get("q"):
            self._search_enc = ""

    def _load(self) -> None:
        filters = self._owner_filter()
        marker = queries.plan_search(filters.search).value if queries.personal_search(filters.search) else ""
        if marker and marker != self._looked_up:  # a new phone / ID number search: an audited, throttled lookup
            with unit_of_work() as session:
                page = lookups.grid_lookup(session, self.principal, self._page_request(), filters)
            if page is None:
                self._set_search("")
                raise lookups.LookupThrottled()
            self._looked_up = marker
            self._show(page)
            return
        with read_only() as session:
            self._show(queries.owner_grid(session, self.principal, self._page_request(), filters))

    def _load_views(self) -> None:
        with read_only() as session:
            self.views = [v.model_dump() for v in list_views(session, self.principal, PAGE)]

    # ------------------------------------------------------------ loading and columns

    @requires(Perm.OWNERS_VIEW)
    async def load(self):
        principal = self.principal
        self.can_edit = principal.has(Perm.OWNERS_EDIT)
        self.can_export = principal.has(Perm.OWNERS_EXPORT)
        self.can_export_pii = principal.has(Perm.OWNERS_EXPORT_PII)
        self.can_import = principal.has(Perm.OWNERS_IMPORT)
        self._start_filters()
        self._clear_selection()
        await off_loop(self._load_views)
        await off_loop(self._load)
        await close_dialogs(self)
        return self._sync_url()  # a phone or ID number typed into the address bar leaves it at once

    @requires(Perm.OWNERS_VIEW)
    def toggle_column(self, column: str, shown: bool):
        if column in COLUMNS:
            chosen = set(self.columns) | {column} if shown else set(self.columns) - {column}
            self.columns = [c for c in COLUMNS if c in chosen] or ["room_code"]
        return self._refresh()

    # ------------------------------------------------------------ saved views

    @requires(Perm.OWNERS_VIEW)
    def save_current_view(self, form: dict[str, Any]):
        try:
            with unit_of_work() as session:
                save_view(session, principal=self.principal, page=PAGE, name=str(form.get("view_name", "")),
                          query=query_string(self._view(), saved=True))
        except ValidationFailed as error:
            return rx.toast.error(next(iter(self._field_messages(error).values())))
        self._load_views()
        if self._search_enc:
            return rx.toast.info(self._tr("owners.view_saved_without_search"))
        return rx.toast.success(self._tr("views.saved"))

    @requires(Perm.OWNERS_VIEW)
    def open_view(self, view_id: int):
        view = next((v for v in self.views if v["id"] == view_id), None)
        if view is None:
            return None
        self._read_url(dict(parse_qsl(view["query"])))
        self.filter_key += 1
        self._load_choices()
        return self._refresh()

    @requires(Perm.OWNERS_VIEW)
    def remove_view(self, view_id: int):
        with unit_of_work() as session:
            delete_view(session, principal=self.principal, view_id=view_id)
        self._load_views()

    # ------------------------------------------------------------ bulk actions on the selection (SelectionMixin)

    def _selected_owner_ids(self, session) -> list[int]:
        return queries.owners_of_rows(session, self.principal, list(self.selected))

    @requires(Perm.OWNERS_EDIT)
    def bulk_vip(self, is_vip: bool):
        with unit_of_work() as session:
            changed = owner_bulk.bulk_set_vip(session, actor=self.principal, owner_ids=self._selected_owner_ids(session),
                                            is_vip=is_vip)
        self._load()
        return rx.toast.success(self._tr("owners.bulk_done", count=changed))

    @requires(Perm.OWNERS_EDIT)
    def bulk_tag(self, form: dict[str, Any]):
        add = form.get("mode", "add") != "remove"
        try:
            with unit_of_work() as session:
                changed = owner_bulk.bulk_tag(session, actor=self.principal, owner_ids=self._selected_owner_ids(session),
                                            tag=str(form.get("tag", "")), add=add)
        except ValidationFailed as error:
            return rx.toast.error(next(iter(self._field_messages(error).values())))
        self._load()
        self._load_choices({"tag"})
        return rx.toast.success(self._tr("owners.bulk_done", count=changed))

    # ------------------------------------------------------------ export

    def _download(self, *, fmt: str, full_pii: bool, selected_only: bool):
        return self._start_download("owners_export", export_params(
            self._owner_filter(), fmt=fmt, full_pii=full_pii, language=self.lang,
            ownership_ids=list(self.selected) if selected_only else None, sort=self.sort,
            descending=self.descending, columns=list(self.columns)))

    @requires(Perm.OWNERS_EXPORT)
    def export(self, fmt: str):
        return self._download(fmt=fmt, full_pii=False, selected_only=False)

    @requires(Perm.OWNERS_EXPORT_PII)
    def export_full(self, fmt: str):
        return self._download(fmt=fmt, full_pii=True, selected_only=False)

    @requires(Perm.OWNERS_EXPORT)
    def export_selected(self):
        return self._download(fmt="xlsx", full_pii=False, selected_only=True)



class OwnerForm(RegisteredOwnerOffer, DialogForm, OwnersState):
    """登记业主: a new owner of a room; an ID number already registered offers that owner instead."""

    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset({"is_vip"})
    _PRIVATE: ClassVar[frozenset[str]] = frozenset({"id_number", "phone", "phone2", "birth_date"})

    @requires(Perm.OWNERS_EDIT)
    def open_create(self):
        self._forget_offer()
        self._open(dict(NEW_OWNER))

    @requires(Perm.OWNERS_EDIT)
    def save(self, form: dict[str, Any]):
        self._require_open()
        self._forget_offer()
        try:
            with unit_of_work() as session:  # the lookup is audited even when the save is refused
                allowed = lookups.form_id_lookup(session, self.principal, id_number=str(form.get("id_number", "")))
            if not allowed:
                raise lookups.throttled_field("id_number")
            with unit_of_work() as session:
                room_id = owner_records.room_for_code(session, actor=self.principal, code=str(form.get("room_code", "")))
                owner = owner_registry.create_owner(session, actor=self.principal, data=form_owner_input(form),
                                              room_id=room_id, share=str(form.get("share") or "100"))
        except (ValidationFailed, ConcurrencyConflict) as error:
            self._refused(error, form)
            return None
        self._close()
        return [rx.toast.success(self._tr("common.saved")), rx.redirect(f"/owners/{owner.id}")]

    @requires(Perm.OWNERS_EDIT)
    def link_existing(self):
        """The ID number belongs to a registered owner: make that owner an owner of this room too."""
        self._require_open()
        if not self._duplicate_id:
            return None
        try:
            with unit_of_work() as session:
                room_id = owner_records.room_for_code(session, actor=self.principal,
                                                 code=str(self.values.get("room_code", "")))
                owner_registry.link_owner_to_room(session, actor=self.principal, owner_id=self._duplicate_id,
                                            room_id=room_id, share=str(self.values.get("share") or "100"))
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        owner_id = self._duplicate_id
        self._close()
        self._forget_offer()
        return [rx.toast.success(self._tr("common.saved")), rx.redirect(f"/owners/{owner_id}")]

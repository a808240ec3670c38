"""Owner grid state: filters and page live in the URL, the state holds one page."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.crypto import decrypt, encrypt
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.core.form_state import FormMixin
from pm_admin.core.guard import protected_var, requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.permissions import Perm
from pm_admin.core.saved_views import delete_view, list_views, save_view
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
from pm_admin.places.queries import building_options, community_options, unit_options

__all__ = ["COLUMNS", "OwnersState", "split_tags"]

PAGE = "owners"
NEW_OWNER = {"room_code": "", "name": "", "gender": Gender.UNKNOWN.value, "id_number": "", "birth_date": "",
             "phone": "", "phone2": "", "address": "", "is_vip": False, "tags": "", "share": "100", "notes": ""}



def split_tags(text: str) -> list[str]:
    return [t for t in text.replace("，", ",").replace("、", ",").split(",") if t.strip()]


class OwnersState(FormMixin, PagedMixin, ProtectedState):
    filters: dict[str, str] = {key: "" for key in FILTER_KEYS}
    community_choices: list[dict[str, str]] = []
    building_choices: list[dict[str, str]] = []
    unit_choices: list[dict[str, str]] = []
    tag_choices: list[str] = []
    columns: list[str] = list(DEFAULT_COLUMNS)
    selected: list[int] = []
    views: list[dict[str, Any]] = []
    can_edit: bool = False
    can_export: bool = False
    can_export_pii: bool = False
    can_import: bool = False
    duplicate: dict[str, Any] = {}  # {"name": …} of the registered owner the ID number belongs to
    _duplicate_id: int = 0  # that owner: set by the server when it offers them, never by the browser
    # A phone/ID number search, encrypted (see _search); never in a public var, the URL or a saved view.
    _search_enc: str = ""
    # The blind index of the phone / ID number search last audited: turning its pages is not a new lookup.
    _looked_up: str = ""

    # ------------------------------------------------------------ URL <-> state

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
            community_id=optional_id(f.get("community")), building_id=optional_id(f.get("building")), unit_id=optional_id(f.get("unit")),
            occupancy=f.get("occupancy", ""), vip=f.get("vip", ""), tag=f.get("tag", ""),
            arrears=f.get("arrears", ""), search=self._search())

    def _view(self) -> GridView:
        return GridView(filters={**self.filters, "q": self._search()}, page=self.page, page_size=self.page_size,
                        sort=self.sort, descending=self.descending, columns=tuple(self.columns))

    def _query_string(self, *, saved: bool = False) -> str:
        return query_string(self._view(), saved=saved)

    def _apply_query(self, params: dict[str, str]) -> None:
        view = parse_query(params, known_search=self._search())
        self.filters = dict(view.filters)
        self._set_search(view.filters["q"])
        self.page, self.page_size = view.page, view.page_size
        self.sort, self.descending, self.columns = view.sort, view.descending, list(view.columns)

    def _refresh(self):
        """Reload the page of rows and put the view into the address bar (no navigation)."""
        self._load()
        return self._after_page_change()

    def _after_page_change(self):
        url = f"/owners?{self._query_string()}" if self._query_string() else "/owners"
        return rx.call_script(f"window.history.replaceState(null, '', {json.dumps(url)})")

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

    def _load_choices(self) -> None:
        with read_only() as session:
            principal = self.principal
            self.community_choices = select_options(community_options(session, principal, whole_scope=False))
            community = optional_id(self.filters.get("community"))
            building = optional_id(self.filters.get("building"))
            self.building_choices = select_options(building_options(session, principal, community)) if community else []
            self.unit_choices = select_options(unit_options(session, principal, building)) if building else []
            self.tag_choices = queries.tag_options(session, principal)
            self.views = [v.model_dump() for v in list_views(session, principal, PAGE)]

    # ------------------------------------------------------------ loading and filtering

    @requires(Perm.OWNERS_VIEW)
    def load(self):
        principal = self.principal
        self.can_edit = principal.has(Perm.OWNERS_EDIT)
        self.can_export = principal.has(Perm.OWNERS_EXPORT)
        self.can_export_pii = principal.has(Perm.OWNERS_EXPORT_PII)
        self.can_import = principal.has(Perm.OWNERS_IMPORT)
        self._apply_query(dict(self.router.url.query_parameters))
        self.selected = []
        self._load_choices()
        self._load()
        return self._after_page_change()  # a phone or ID number typed into the address bar leaves it at once

    @requires(Perm.OWNERS_VIEW)
    def set_filter(self, key: str, value: str):
        if key not in FILTER_KEYS:
            return None
        value = "" if value == "all" else str(value)[:64]
        if key in ID_FILTER_KEYS:
            optional_id(value)  # a crafted id is refused here, before it is kept
        if key == "q":
            if not (self._search_enc and value == self.filters.get("q")):  # the masked text sent back: same search
                self._set_search(value)
        else:
            self.filters = {**self.filters, key: value}
        if key == "community":
            self.filters = {**self.filters, "building": "", "unit": ""}
        if key == "building":
            self.filters = {**self.filters, "unit": ""}
        if key in ("community", "building"):
            self._load_choices()
        self.page = 1
        return self._refresh()

    @requires(Perm.OWNERS_VIEW)
    def apply_search(self, form: dict[str, Any]):
        return self.set_filter("q", str(form.get("search", "")))

    @requires(Perm.OWNERS_VIEW)
    def clear_filters(self):
        self.filters = {key: "" for key in FILTER_KEYS}
        self._search_enc = ""
        self.page = 1
        self._load_choices()
        return self._refresh()

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
                          query=self._query_string(saved=True))
        except ValidationFailed as error:
            return rx.toast.error(next(iter(self._field_messages(error).values())))
        self._load_choices()
        if self._search_enc:
            return rx.toast.info(self._tr("owners.view_saved_without_search"))
        return rx.toast.success(self._tr("views.saved"))

    @requires(Perm.OWNERS_VIEW)
    def open_view(self, view_id: int):
        view = next((v for v in self.views if v["id"] == view_id), None)
        if view is None:
            return None
        self._apply_query(dict(parse_qsl(view["query"])))
        self._load_choices()
        return self._refresh()

    @requires(Perm.OWNERS_VIEW)
    def remove_view(self, view_id: int):
        with unit_of_work() as session:
            delete_view(session, principal=self.principal, view_id=view_id)
        self._load_choices()

    # ------------------------------------------------------------ selection and bulk actions

    @requires(Perm.OWNERS_VIEW)
    def toggle_row(self, row_id: int, checked: bool):
        if checked and self._row(row_id) is not None and row_id not in self.selected:
            self.selected = [*self.selected, row_id]
        elif not checked:
            self.selected = [r for r in self.selected if r != row_id]

    @protected_var(Perm.OWNERS_VIEW)
    def page_selected(self) -> bool:
        """The header checkbox shows ticked when every row on screen is selected."""
        return bool(self.rows) and all(row["id"] in self.selected for row in self.rows)

    @requires(Perm.OWNERS_VIEW)
    def toggle_page(self, checked: bool):
        page_ids = [row["id"] for row in self.rows]
        self.selected = sorted(set(self.selected) | set(page_ids)) if checked else \
            [r for r in self.selected if r not in page_ids]

    @requires(Perm.OWNERS_VIEW)
    def clear_selection(self):
        self.selected = []

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
        self._load_choices()
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

    # ------------------------------------------------------------ register an owner

    @requires(Perm.OWNERS_EDIT)
    def open_create(self):
        self.duplicate, self._duplicate_id = {}, 0
        self._open_form(dict(NEW_OWNER))

    def _owner_input(self, form: dict[str, Any]) -> owner_input.OwnerInput:
        return owner_input.OwnerInput(
            name=str(form.get("name", "")), gender=str(form.get("gender") or Gender.UNKNOWN.value),
            id_number=str(form.get("id_number", "")), phones=[str(form.get("phone", "")), str(form.get("phone2", ""))],
            address=str(form.get("address", "")), is_vip=bool(form.get("is_vip")),
            tags=split_tags(str(form.get("tags", ""))), notes=str(form.get("notes", "")),
            birth_date=str(form.get("birth_date") or ""))

    @requires(Perm.OWNERS_EDIT)
    def create(self, form: dict[str, Any]):
        self.duplicate, self._duplicate_id = {}, 0
        try:
            with unit_of_work() as session:
                allowed = lookups.form_id_lookup(session, self.principal, id_number=str(form.get("id_number", "")))
            if not allowed:
                raise lookups.throttled_field("id_number")
            with unit_of_work() as session:
                room_id = owner_records.room_for_code(session, actor=self.principal, code=str(form.get("room_code", "")))
                owner = owner_registry.create_owner(session, actor=self.principal, data=self._owner_input(form),
                                              room_id=room_id, share=str(form.get("share") or "100"))
        except owner_input.DuplicateOwner as duplicate:
            self._save_failed(duplicate, form)
            self._duplicate_id, self.duplicate = duplicate.existing_id, {"name": duplicate.existing_name}
            return None
        except (ValidationFailed, ConcurrencyConflict) as error:
            self._save_failed(error, form)
            return None
        self.dialog_open = False
        return [rx.toast.success(self._tr("common.saved")), rx.redirect(f"/owners/{owner.id}")]

    @requires(Perm.OWNERS_EDIT)
    def link_existing(self):
        """The ID number belongs to a registered owner: make that owner an owner of this room too."""
        if not self._duplicate_id:
            return None
        try:
            with unit_of_work() as session:
                room_id = owner_records.room_for_code(session, actor=self.principal,
                                                 code=str(self.form.get("room_code", "")))
                owner_registry.link_owner_to_room(session, actor=self.principal, owner_id=self._duplicate_id,
                                            room_id=room_id, share=str(self.form.get("share") or "100"))
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        owner_id = self._duplicate_id
        self.dialog_open, self.duplicate, self._duplicate_id = False, {}, 0
        return [rx.toast.success(self._tr("common.saved")), rx.redirect(f"/owners/{owner_id}")]

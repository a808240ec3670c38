"""Place page states: thin handlers around places.queries and places.services."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.auth.queries import users_with_role
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.core.form_state import FormMixin
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.permissions import Perm
from pm_admin.places import queries, services
from pm_admin.places.models import HouseholdWorkRole, Occupancy

OCCUPANCY_OPTIONS = [{"value": o.value, "label": o.value} for o in Occupancy]
WORK_ROLE_OPTIONS = [{"value": r.value, "label": r.value} for r in HouseholdWorkRole]




class CommunitiesState(FormMixin, PagedMixin, ProtectedState):
    _ENTITY: ClassVar[str] = "community"
    search: str = ""
    can_manage: bool = False  # admins: create communities, edit everything
    can_set_work_role: bool = False  # admins and managers (their communities): who does the household work

    def _load(self) -> None:
        with read_only() as session:
            self._show(queries.list_communities(session, self.principal, self._page_request(), self.search))

    @requires(Perm.PLACES_VIEW)
    def load(self):
        self.can_manage = self.principal.has(Perm.COMMUNITIES_MANAGE)
        self.can_set_work_role = self.principal.has(Perm.PLACES_MANAGE)
        self._load()

    @requires(Perm.PLACES_VIEW)
    def apply_search(self, form: dict[str, Any]):
        self.search, self.page = str(form.get("search", ""))[:64], 1
        self._load()

    @requires(Perm.COMMUNITIES_MANAGE)
    def open_create(self):
        self._open_form({"id": 0, "code": "", "name": "", "address": "", "is_active": True,
                         "household_work_role": HouseholdWorkRole.CS.value, "version": 0})

    @requires(Perm.PLACES_MANAGE)
    def open_edit(self, community_id: int):
        row = self._row(community_id)
        if row is not None:
            self._open_form({k: row[k] for k in ("id", "code", "name", "address", "is_active", "household_work_role",
                                                 "version")})

    @requires(Perm.PLACES_MANAGE)
    def save(self, form: dict[str, Any]):
        """Admins save the whole form; managers only whom the community gives its household work (the other
        fields are read-only for them, and the services check each part)."""
        role = str(form.get("household_work_role", ""))
        try:
            with unit_of_work() as session:
                if self._loaded.get("id"):
                    community_id, version = int(self._loaded["id"]), int(self._loaded["version"])
                    if self.principal.has(Perm.COMMUNITIES_MANAGE):
                        version = services.update_community(
                            session, actor=self.principal, community_id=community_id, expected_version=version,
                            name=str(form.get("name", "")), address=str(form.get("address", "")),
                            is_active=bool(form.get("is_active"))).version
                else:
                    community = services.create_community(
                        session, actor=self.principal, code=str(form.get("code", "")),
                        name=str(form.get("name", "")), address=str(form.get("address", "")))
                    community_id, version = community.id, community.version
                services.set_household_work_role(session, actor=self.principal, community_id=community_id,
                                                 expected_version=version, role=role)
        except (ValidationFailed, ConcurrencyConflict) as error:
            self._save_failed(error, form)
            return None
        return self._saved()


class BuildingsState(FormMixin, PagedMixin, ProtectedState):
    _ENTITY: ClassVar[str] = "building"
    community_filter: str = ""
    community_choices: list[dict[str, str]] = []
    steward_choices: list[dict[str, str]] = []
    can_manage: bool = False
    selected_building_id: int = 0
    selected_building_name: str = ""
    units: list[dict[str, Any]] = []
    unit_dialog_open: bool = False
    unit_form: dict[str, Any] = {}
    unit_form_key: int = 0
    unit_errors: dict[str, str] = {}
    unit_conflict: str = ""
    _unit_loaded: dict[str, Any] = {}  # the unit as the dialog opened it: id and version stay on the server

    def _load(self) -> None:
        with read_only() as session:
            self._show(queries.list_buildings(session, self.principal, self._page_request(),
                                              community_id=optional_id(self.community_filter)))

    def _load_units(self) -> None:
        with read_only() as session:
            self.units = [u.model_dump() for u in queries.list_units(session, self.principal, self.selected_building_id)]

    @requires(Perm.PLACES_VIEW)
    def load(self):
        self.can_manage = self.principal.has(Perm.PLACES_MANAGE)
        with read_only() as session:
            self.community_choices = select_options(queries.community_options(session, self.principal, whole_scope=False))
        self.selected_building_id, self.units = 0, []
        self._load()

    @requires(Perm.PLACES_VIEW)
    def filter_community(self, value: str):
        optional_id(value)  # a crafted id is refused before it is kept
        self.community_filter, self.page = value, 1
        self._load()

    @requires(Perm.PLACES_VIEW)
    def select_building(self, building_id: int):
        row = self._row(building_id)
        if row is not None:
            self.selected_building_id, self.selected_building_name = building_id, row["name"]
            self._load_units()

    @requires(Perm.PLACES_MANAGE)
    def open_create(self):
        default = self.community_filter or (self.community_choices[0]["value"] if self.community_choices else "")
        self._open_form({"id": 0, "community_id": default, "code": "", "name": "", "floors": "18", "version": 0})

    @requires(Perm.PLACES_MANAGE)
    def open_edit(self, building_id: int):
        row = self._row(building_id)
        if row is not None:
            with read_only() as session:
                self.steward_choices = [{"value": "0", "label": self._tr("places.no_steward")}] + [
                    {"value": str(uid), "label": name}
                    for uid, name in users_with_role(session, self.principal, "steward", row["community_id"])]
            self._open_form({"id": row["id"], "community_id": str(row["community_id"]), "code": row["code"],
                             "name": row["name"], "floors": str(row["floors"]),
                             "steward": str(row["steward_user_id"]), "version": row["version"]})

    @requires(Perm.PLACES_MANAGE)
    def save(self, form: dict[str, Any]):
        try:
            with unit_of_work() as session:
                if self._loaded.get("id"):
                    building = services.update_building(
                        session, actor=self.principal, building_id=int(self._loaded["id"]),
                        expected_version=int(self._loaded["version"]), name=str(form.get("name", "")),
                        floors=str(form.get("floors", "")))
                    steward = optional_id(form.get("steward")) or None
                    if steward != building.steward_user_id:
                        services.assign_steward(session, actor=self.principal, building_id=building.id,
                                                steward_user_id=steward)
                else:
                    services.create_building(
                        session, actor=self.principal, community_id=optional_id(form.get("community_id")) or 0,
                        code=str(form.get("code", "")), name=str(form.get("name", "")),
                        floors=str(form.get("floors", "")))
        except (ValidationFailed, ConcurrencyConflict) as error:
            self._save_failed(error, form)
            return None
        return self._saved()

    @requires(Perm.PLACES_MANAGE)
    def open_unit_create(self):
        self._open_unit_form({"id": 0, "code": "", "name": "", "version": 0})

    @requires(Perm.PLACES_MANAGE)
    def open_unit_edit(self, unit_id: int):
        row = next((u for u in self.units if u["id"] == unit_id), None)
        if row is not None:
            self._open_unit_form({k: row[k] for k in ("id", "code", "name", "version")})

    def _open_unit_form(self, values: dict[str, Any]) -> None:
        self.unit_form, self._unit_loaded = values, dict(values)
        self.unit_errors, self.unit_conflict, self.unit_dialog_open = {}, "", True
        self.unit_form_key += 1

    @requires()
    def close_unit_dialog(self, _open: bool = False):
        self.unit_dialog_open = False

    @requires(Perm.PLACES_MANAGE)
    def save_unit(self, form: dict[str, Any]):
        try:
            with unit_of_work() as session:
                if self._unit_loaded.get("id"):
                    services.update_unit(session, actor=self.principal, unit_id=int(self._unit_loaded["id"]),
                                         expected_version=int(self._unit_loaded["version"]),
                                         name=str(form.get("name", "")))
                else:
                    services.create_unit(session, actor=self.principal, building_id=self.selected_building_id,
                                         code=str(form.get("code", "")), name=str(form.get("name", "")))
        except (ValidationFailed, ConcurrencyConflict) as error:
            self.unit_form = {**self.unit_form, **{k: v for k, v in form.items() if k in ("code", "name")}}
            self.unit_form_key += 1
            self.unit_errors, self.unit_conflict = {}, ""
            if isinstance(error, ValidationFailed):
                self.unit_errors = self._field_messages(error)
            else:
                version, self.unit_conflict = self._describe_conflict(self._unit_loaded, error.current)
                self._unit_loaded = {**self._unit_loaded, "version": version}
            return None
        self.unit_dialog_open = False
        self._load_units()
        self._load()
        return rx.toast.success(self._tr("common.saved"))


class RoomsState(FormMixin, PagedMixin, ProtectedState):
    _ENTITY: ClassVar[str] = "room"
    community_filter: str = ""
    building_filter: str = ""
    unit_filter: str = ""
    occupancy_filter: str = ""
    search: str = ""
    community_choices: list[dict[str, str]] = []
    building_choices: list[dict[str, str]] = []
    unit_choices: list[dict[str, str]] = []
    # The dialog's own cascade (community → building → unit) when creating a room.
    form_buildings: list[dict[str, str]] = []
    form_units: list[dict[str, str]] = []
    can_manage: bool = False

    def _filters(self) -> queries.RoomFilter:
        return queries.RoomFilter(
            community_id=optional_id(self.community_filter), building_id=optional_id(self.building_filter),
            unit_id=optional_id(self.unit_filter), occupancy=self.occupancy_filter, search=self.search)

    def _load(self) -> None:
        with read_only() as session:
            self._show(queries.list_rooms(session, self.principal, self._page_request(), self._filters()))

    @requires(Perm.PLACES_VIEW)
    def load(self):
        self.can_manage = self.principal.has(Perm.PLACES_MANAGE)
        with read_only() as session:
            self.community_choices = select_options(queries.community_options(session, self.principal, whole_scope=False))
        self._load()

    @requires(Perm.PLACES_VIEW)
    def filter_community(self, value: str):
        community_id = optional_id(value)
        self.community_filter, self.building_filter, self.unit_filter, self.page = value, "", "", 1
        with read_only() as session:
            self.building_choices = select_options(
                queries.building_options(session, self.principal, community_id)) if community_id else []
        self.unit_choices = []
        self._load()

    @requires(Perm.PLACES_VIEW)
    def filter_building(self, value: str):
        building_id = optional_id(value)
        self.building_filter, self.unit_filter, self.page = value, "", 1
        with read_only() as session:
            self.unit_choices = select_options(queries.unit_options(session, self.principal, building_id)) if building_id else []
        self._load()

    @requires(Perm.PLACES_VIEW)
    def filter_unit(self, value: str):
        optional_id(value)
        self.unit_filter, self.page = value, 1
        self._load()

    @requires(Perm.PLACES_VIEW)
    def filter_occupancy(self, value: str):
        self.occupancy_filter, self.page = ("" if value == "all" else value), 1
        self._load()

    @requires(Perm.PLACES_VIEW)
    def apply_search(self, form: dict[str, Any]):
        self.search, self.page = str(form.get("search", ""))[:64], 1
        self._load()

    @requires(Perm.PLACES_VIEW)
    def clear_filters(self):
        self.community_filter = self.building_filter = self.unit_filter = self.occupancy_filter = self.search = ""
        self.building_choices, self.unit_choices, self.page = [], [], 1
        self._load()

    @requires(Perm.PLACES_MANAGE)
    def open_create(self):
        self.form_buildings = list(self.building_choices)
        self.form_units = list(self.unit_choices)
        self._open_form({"id": 0, "community_id": self.community_filter, "building_id": self.building_filter,
                         "unit_id": self.unit_filter, "number": "", "floor": "", "area": "", "layout": "",
                         "occupancy": Occupancy.OWNER_OCCUPIED.value, "version": 0})

    @requires(Perm.PLACES_MANAGE)
    def open_edit(self, room_id: int):
        row = self._row(room_id)
        if row is not None:
            self._open_form({"id": row["id"], "community_id": str(row["community_id"]),
                             "building_id": str(row["building_id"]), "unit_id": str(row["unit_id"]),
                             "number": row["number"], "floor": str(row["floor"]), "area": row["area"],
                             "layout": row["layout"], "occupancy": row["occupancy"], "version": row["version"]})

    @requires(Perm.PLACES_MANAGE)
    def form_pick_community(self, value: str):
        community_id = optional_id(value)
        with read_only() as session:
            self.form_buildings = select_options(
                queries.building_options(session, self.principal, community_id)) if community_id else []
        self.form_units = []
        self.form = {**self.form, "community_id": value, "building_id": "", "unit_id": ""}

    @requires(Perm.PLACES_MANAGE)
    def form_pick_building(self, value: str):
        building_id = optional_id(value)
        with read_only() as session:
            self.form_units = select_options(queries.unit_options(session, self.principal, building_id)) if building_id else []
        self.form = {**self.form, "building_id": value, "unit_id": ""}

    @requires(Perm.PLACES_MANAGE)
    def save(self, form: dict[str, Any]):
        values = {k: str(form.get(k, "")) for k in ("number", "floor", "area", "layout", "occupancy")}
        try:
            with unit_of_work() as session:
                if self._loaded.get("id"):
                    services.update_room(session, actor=self.principal, room_id=int(self._loaded["id"]),
                                         expected_version=int(self._loaded["version"]), **values)
                else:
                    unit_id = optional_id(form.get("unit_id"))
                    if unit_id is None:
                        raise ValidationFailed({"unit_id": ("error.required", {})})
                    services.create_room(session, actor=self.principal, unit_id=unit_id, **values)
        except (ValidationFailed, ConcurrencyConflict) as error:
            self._save_failed(error, form)
            return None
        return self._saved()

"""Place page states: thin handlers around places.queries and places.services; one DialogForm per dialog."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlmodel import Session

from pm_admin.auth.queries import users_with_role
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.places import queries, services
from pm_admin.places.models import HouseholdWorkRole, Occupancy
from pm_admin.places.pickers import COMMUNITY_PICKER, PLACE_KEYS, PLACE_PICKERS

OCCUPANCY_OPTIONS = [{"value": o.value, "label": o.value} for o in Occupancy]
WORK_ROLE_OPTIONS = [{"value": r.value, "label": r.value} for r in HouseholdWorkRole]


# ---------------------------------------------------------------- communities


class CommunitiesState(UrlFilters, PagedMixin, ProtectedState):
    _PATH: ClassVar[str] = "/places/communities"
    _PAGE_PERMISSION: ClassVar[str] = Perm.PLACES_VIEW
    _FILTERS: ClassVar[tuple[str, ...]] = ("q",)
    can_manage: bool = False  # admins: create communities, edit everything
    can_set_work_role: bool = False  # admins and managers (their communities): who does the household work

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return queries.list_communities(session, self.principal, request, self.filters.get("q", ""))

    @requires(Perm.PLACES_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.COMMUNITIES_MANAGE)
        self.can_set_work_role = self.principal.has(Perm.PLACES_MANAGE)
        self._start_filters()
        await off_loop(self._load)
        await close_dialogs(self)


class CommunityForm(DialogForm, CommunitiesState):
    _ENTITY: ClassVar[str] = "community"

    @requires(Perm.COMMUNITIES_MANAGE)
    def open_create(self):
        self._open({"code": "", "name": "", "address": "", "is_active": True,
                    "household_work_role": HouseholdWorkRole.CS.value})

    @requires(Perm.PLACES_MANAGE)
    def open_edit(self, community_id: int):
        row = self._row(community_id)
        if row is not None:
            self._open({k: row[k] for k in ("code", "name", "address", "is_active", "household_work_role")},
                       record_id=row["id"], version=row["version"])

    @requires(Perm.PLACES_MANAGE)
    def save(self, form: dict[str, Any]):
        """Admins save the whole form; managers only whom the community gives its household work (the other
        fields are read-only for them, and the services check each part)."""
        return self._submit(form, lambda session: self._write(session, form))

    def _write(self, session: Session, form: dict[str, Any]) -> None:
        if self._record_id:
            community_id, version = self._record_id, self._version
            if self.principal.has(Perm.COMMUNITIES_MANAGE):
                version = services.update_community(
                    session, actor=self.principal, community_id=community_id, expected_version=version,
                    name=str(form.get("name", "")), address=str(form.get("address", "")),
                    is_active=bool(form.get("is_active"))).version
        else:
            community = services.create_community(session, actor=self.principal, code=str(form.get("code", "")),
                                                  name=str(form.get("name", "")),
                                                  address=str(form.get("address", "")))
            community_id, version = community.id, community.version
        services.set_household_work_role(session, actor=self.principal, community_id=community_id,
                                         expected_version=version, role=str(form.get("household_work_role", "")))


# ---------------------------------------------------------------- buildings and units


class BuildingsState(UrlFilters, PagedMixin, ProtectedState):
    _PATH: ClassVar[str] = "/places/buildings"
    _PAGE_PERMISSION: ClassVar[str] = Perm.PLACES_VIEW
    _FILTERS: ClassVar[tuple[str, ...]] = ("community",)
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER,)
    can_manage: bool = False
    selected_building_id: int = 0
    selected_building_name: str = ""
    units: list[dict[str, Any]] = []

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return queries.list_buildings(session, self.principal, request,
                                      community_id=optional_id(self.filters.get("community")))

    def _load_units(self) -> None:
        with read_only() as session:
            self.units = [u.model_dump() for u in queries.list_units(session, self.principal, self.selected_building_id)]

    @requires(Perm.PLACES_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.PLACES_MANAGE)
        self._start_filters()
        self.selected_building_id, self.units = 0, []
        await off_loop(self._load)
        await close_dialogs(self)

    @requires(Perm.PLACES_VIEW)
    def select_building(self, building_id: int):
        row = self._row(building_id)
        if row is not None:
            self.selected_building_id, self.selected_building_name = building_id, row["name"]
            self._load_units()


class BuildingForm(DialogForm, BuildingsState):
    _ENTITY: ClassVar[str] = "building"
    steward_choices: list[dict[str, str]] = []

    @requires(Perm.PLACES_MANAGE)
    def open_create(self):
        communities = self.choices.get("community", [])
        default = self.filters.get("community") or (communities[0]["value"] if communities else "")
        self._open({"community_id": default, "code": "", "name": "", "floors": "18", "steward": "0"})

    @requires(Perm.PLACES_MANAGE)
    def open_edit(self, building_id: int):
        row = self._row(building_id)
        if row is not None:
            with read_only() as session:
                self.steward_choices = [{"value": "0", "label": self._tr("places.no_steward")}] + [
                    {"value": str(uid), "label": name}
                    for uid, name in users_with_role(session, self.principal, "steward", row["community_id"])]
            self._open({"community_id": str(row["community_id"]), "code": row["code"], "name": row["name"],
                        "floors": str(row["floors"]), "steward": str(row["steward_user_id"])},
                       record_id=row["id"], version=row["version"])

    @requires(Perm.PLACES_MANAGE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: self._write(session, form))

    def _write(self, session: Session, form: dict[str, Any]) -> None:
        if not self._record_id:
            services.create_building(session, actor=self.principal,
                                     community_id=optional_id(form.get("community_id")) or 0,
                                     code=str(form.get("code", "")), name=str(form.get("name", "")),
                                     floors=str(form.get("floors", "")))
            return
        building = services.update_building(session, actor=self.principal, building_id=self._record_id,
                                            expected_version=self._version, name=str(form.get("name", "")),
                                            floors=str(form.get("floors", "")))
        steward = optional_id(form.get("steward")) or None
        if steward != building.steward_user_id:
            services.assign_steward(session, actor=self.principal, building_id=building.id, steward_user_id=steward)


class UnitForm(DialogForm, BuildingsState):
    _ENTITY: ClassVar[str] = "unit"

    @requires(Perm.PLACES_MANAGE)
    def open_create(self):
        if self.selected_building_id:
            self._open({"code": "", "name": ""})

    @requires(Perm.PLACES_MANAGE)
    def open_edit(self, unit_id: int):
        row = next((u for u in self.units if u["id"] == unit_id), None)
        if row is not None:
            self._open({"code": row["code"], "name": row["name"]}, record_id=row["id"], version=row["version"])

    @requires(Perm.PLACES_MANAGE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: self._write(session, form))

    def _write(self, session: Session, form: dict[str, Any]) -> None:
        if self._record_id:
            services.update_unit(session, actor=self.principal, unit_id=self._record_id,
                                 expected_version=self._version, name=str(form.get("name", "")))
        else:
            services.create_unit(session, actor=self.principal, building_id=self.selected_building_id,
                                 code=str(form.get("code", "")), name=str(form.get("name", "")))

    def _after_save(self) -> None:
        self._load_units()
        self._load()


# ---------------------------------------------------------------- rooms


class RoomsState(UrlFilters, PagedMixin, ProtectedState):
    _PATH: ClassVar[str] = "/places/rooms"
    _PAGE_PERMISSION: ClassVar[str] = Perm.PLACES_VIEW
    _FILTERS: ClassVar[tuple[str, ...]] = ("community", "building", "unit", "occupancy", "q")
    _ID_FILTERS: ClassVar[frozenset[str]] = PLACE_KEYS
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"occupancy": tuple(o.value for o in Occupancy)}
    _PICKERS: ClassVar[tuple[Picker, ...]] = PLACE_PICKERS
    can_manage: bool = False

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        f = self.filters
        return queries.list_rooms(session, self.principal, request, queries.RoomFilter(
            community_id=optional_id(f.get("community")), building_id=optional_id(f.get("building")),
            unit_id=optional_id(f.get("unit")), occupancy=f.get("occupancy", ""), search=f.get("q", "")))

    @requires(Perm.PLACES_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.PLACES_MANAGE)
        self._start_filters()
        await off_loop(self._load)
        await close_dialogs(self)


class RoomForm(DialogForm, RoomsState):
    _ENTITY: ClassVar[str] = "room"
    # The dialog's own cascade (community → building → unit) when creating a room.
    buildings: list[dict[str, str]] = []
    units: list[dict[str, str]] = []

    @requires(Perm.PLACES_MANAGE)
    def open_create(self):
        self.buildings = list(self.choices.get("building", []))
        self.units = list(self.choices.get("unit", []))
        f = self.filters
        self._open({"community_id": f.get("community", ""), "building_id": f.get("building", ""),
                    "unit_id": f.get("unit", ""), "number": "", "floor": "", "area": "", "layout": "",
                    "occupancy": Occupancy.OWNER_OCCUPIED.value})

    @requires(Perm.PLACES_MANAGE)
    def open_edit(self, room_id: int):
        row = self._row(room_id)
        if row is not None:
            self._open({"community_id": str(row["community_id"]), "building_id": str(row["building_id"]),
                        "unit_id": str(row["unit_id"]), "number": row["number"], "floor": str(row["floor"]),
                        "area": row["area"], "layout": row["layout"], "occupancy": row["occupancy"]},
                       record_id=row["id"], version=row["version"])

    @requires(Perm.PLACES_MANAGE)
    def pick_community(self, value: str):
        community_id = optional_id(value)
        with read_only() as session:
            self.buildings = select_options(
                queries.building_options(session, self.principal, community_id)) if community_id else []
        self.units = []
        self.values = {**self.values, "community_id": value, "building_id": "", "unit_id": ""}

    @requires(Perm.PLACES_MANAGE)
    def pick_building(self, value: str):
        building_id = optional_id(value)
        with read_only() as session:
            self.units = select_options(queries.unit_options(session, self.principal, building_id)) if building_id else []
        self.values = {**self.values, "building_id": value, "unit_id": ""}

    @requires(Perm.PLACES_MANAGE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: self._write(session, form))

    def _write(self, session: Session, form: dict[str, Any]) -> None:
        values = {k: str(form.get(k, "")) for k in ("number", "floor", "area", "layout", "occupancy")}
        if self._record_id:
            services.update_room(session, actor=self.principal, room_id=self._record_id,
                                 expected_version=self._version, **values)
            return
        unit_id = optional_id(form.get("unit_id"))
        if unit_id is None:
            raise ValidationFailed({"unit_id": ("error.required", {})})
        services.create_room(session, actor=self.principal, unit_id=unit_id, **values)

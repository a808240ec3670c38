"""Create and edit communities, buildings, units and rooms (validated, scoped, audited)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlmodel import Session, SQLModel, select

from pm_admin.auth.models import UserCommunity, UserRole
from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import DomainError, FieldErrors, PermissionDenied
from pm_admin.core.events import publish
from pm_admin.core.parsers import clean_text, parse_amount, parse_choice
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version, load_scoped
from pm_admin.places.events import HouseholdWorkChanged, RoomRenumbered
from pm_admin.places.models import (
    Building,
    Community,
    HouseholdWorkRole,
    Occupancy,
    Room,
    Unit,
    room_code,
    room_sort_key,
)

CODE_PATTERN = re.compile(r"^[A-Za-z0-9]{1,16}$")
MAX_AREA = Decimal("10000")
MAX_FLOORS = 200
LOWEST_FLOOR = -5


def _check_code(errors: FieldErrors, code: str, field: str = "code") -> str:
    code = code.strip()
    if not code:
        errors.add(field, "error.required")
    elif not CODE_PATTERN.match(code):
        errors.add(field, "places.code_invalid")
    return code


def _check_name(errors: FieldErrors, name: str, field: str = "name", max_length: int = 64) -> str:
    return clean_text(errors, field, name, max_length=max_length, required=True)


def _parse_int(errors: FieldErrors, value: int | str, field: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.add(field, "error.integer_required")
        return 0
    if not low <= number <= high:
        errors.add(field, "error.out_of_range", low=low, high=high)
    return number


def _parse_area(errors: FieldErrors, value: Decimal | str) -> Decimal:
    return parse_amount(errors, "area", value, high=MAX_AREA, positive=True, key="places.area_invalid")


def _community_itself(_session: Session, community: Community) -> tuple[int]:
    return (community.id,)


def _building_community(session: Session, unit: Unit) -> tuple[int]:
    return (session.get(Building, unit.building_id).community_id,)



def _written(session: Session, actor: Principal, row: SQLModel, action: str, *, community_id: int,
             after: Callable[[Any], dict] | dict, before: dict | None = None) -> Any:
    """Flush the row and audit the change (``after`` may be the snapshot function: it reads the row's new id)."""
    session.add(row)
    session.flush()
    record(session, action=action, actor=actor, entity_type=action.partition(".")[0], entity_id=row.id,
           community_id=community_id, before=before, after=after(row) if callable(after) else after)
    return row


# ---------------------------------------------------------------- communities


def community_snapshot(community: Community) -> dict:
    return {"code": community.code, "name": community.name, "address": community.address,
            "is_active": community.is_active, "household_work_role": str(community.household_work_role)}


def create_community(session: Session, *, actor: Principal, code: str, name: str, address: str = "") -> Community:
    actor.require(Perm.COMMUNITIES_MANAGE)
    errors = FieldErrors()
    code = _check_code(errors, code)
    name = _check_name(errors, name)
    if len(address) > 200:
        errors.add("address", "error.too_long", max=200)
    if code and session.exec(select(Community.id).where(Community.code == code)).first():
        errors.add("code", "places.code_taken")
    if name and session.exec(select(Community.id).where(Community.name == name)).first():
        errors.add("name", "places.name_taken")
    errors.raise_if_any()
    community = Community(code=code, name=name, address=address.strip())
    session.add(community)
    session.flush()  # the community's own id is its audit record's community
    return _written(session, actor, community, "community.create", community_id=community.id, after=community_snapshot)


def update_community(
    session: Session, *, actor: Principal, community_id: int, expected_version: int, name: str, address: str,
    is_active: bool,
) -> Community:
    actor.require(Perm.COMMUNITIES_MANAGE)
    community = load_scoped(session, Community, community_id, actor, communities=_community_itself)
    expect_version(community, expected_version, lambda: community_snapshot(community))
    errors = FieldErrors()
    name = _check_name(errors, name)
    if len(address) > 200:
        errors.add("address", "error.too_long", max=200)
    if name and session.exec(select(Community.id).where(Community.name == name, Community.id != community_id)).first():
        errors.add("name", "places.name_taken")
    errors.raise_if_any()
    before = community_snapshot(community)
    community.name, community.address, community.is_active = name, address.strip(), is_active
    community.updated_at = utcnow()
    return _written(session, actor, community, "community.update", community_id=community.id, before=before,
                    after=community_snapshot)


def set_household_work_role(session: Session, *, actor: Principal, community_id: int, expected_version: int,
                             role: str) -> Community:
    """Who does the community's quarterly census and arrears follow-ups: its 客服专员 (seed 001 §篇3 4.4.2, the
    default) or the steward of each household's building. Open tasks move to the new choice in the same
    transaction (``household_work``); finished ones stay with whoever did them."""
    actor.require(Perm.PLACES_MANAGE)
    community = load_scoped(session, Community, community_id, actor, communities=_community_itself)
    expect_version(community, expected_version, lambda: community_snapshot(community))
    if role not in set(HouseholdWorkRole):
        errors = FieldErrors()
        errors.add("household_work_role", "places.work_role_invalid")
        errors.raise_if_any()
    if role == community.household_work_role:
        return community
    before = {"household_work_role": str(community.household_work_role)}
    community.household_work_role, community.updated_at = HouseholdWorkRole(role), utcnow()
    _written(session, actor, community, "community.work_role", community_id=community.id, before=before,
             after={"household_work_role": role})
    publish(session, HouseholdWorkChanged(community.id, actor))
    return community


# ---------------------------------------------------------------- buildings


def building_snapshot(building: Building) -> dict:
    return {"community_id": building.community_id, "code": building.code, "name": building.name,
            "floors": building.floors}


def _require_active(community: Community) -> None:
    """A community no longer managed (撤场) keeps its records but takes no new buildings, units or rooms."""
    if not community.is_active:
        raise DomainError("places.community_inactive", name=community.name)


def create_building(
    session: Session, *, actor: Principal, community_id: int, code: str, name: str, floors: int | str
) -> Building:
    actor.require(Perm.PLACES_MANAGE)
    community = load_scoped(session, Community, community_id, actor, communities=_community_itself)
    _require_active(community)
    errors = FieldErrors()
    code = _check_code(errors, code)
    name = _check_name(errors, name)
    floors = _parse_int(errors, floors, "floors", 1, MAX_FLOORS)
    if code and session.exec(
        select(Building.id).where(Building.community_id == community.id, Building.code == code)
    ).first():
        errors.add("code", "places.code_taken")
    errors.raise_if_any()
    building = Building(community_id=community.id, code=code, name=name, floors=floors)
    return _written(session, actor, building, "building.create", community_id=community.id, after=building_snapshot)


def update_building(
    session: Session, *, actor: Principal, building_id: int, expected_version: int, name: str, floors: int | str
) -> Building:
    actor.require(Perm.PLACES_MANAGE)
    building = load_scoped(session, Building, building_id, actor)
    expect_version(building, expected_version, lambda: building_snapshot(building))
    errors = FieldErrors()
    name = _check_name(errors, name)
    floors = _parse_int(errors, floors, "floors", 1, MAX_FLOORS)
    highest = session.exec(
        select(Room.floor).where(Room.building_id == building.id).order_by(Room.floor.desc())
    ).first()
    if highest is not None and floors and highest > floors:
        errors.add("floors", "places.floors_below_rooms", floor=highest)
    errors.raise_if_any()
    before = building_snapshot(building)
    building.name, building.floors, building.updated_at = name, floors, utcnow()
    return _written(session, actor, building, "building.update", community_id=building.community_id, before=before,
                    after=building_snapshot)


# ---------------------------------------------------------------- units


def unit_snapshot(unit: Unit) -> dict:
    return {"building_id": unit.building_id, "code": unit.code, "name": unit.name}


def create_unit(session: Session, *, actor: Principal, building_id: int, code: str, name: str) -> Unit:
    actor.require(Perm.PLACES_MANAGE)
    building = load_scoped(session, Building, building_id, actor)
    _require_active(session.get(Community, building.community_id))
    errors = FieldErrors()
    code = _check_code(errors, code)
    name = _check_name(errors, name)
    if code and session.exec(select(Unit.id).where(Unit.building_id == building.id, Unit.code == code)).first():
        errors.add("code", "places.code_taken")
    errors.raise_if_any()
    unit = Unit(building_id=building.id, code=code, name=name)
    return _written(session, actor, unit, "unit.create", community_id=building.community_id, after=unit_snapshot)


def update_unit(session: Session, *, actor: Principal, unit_id: int, expected_version: int, name: str) -> Unit:
    actor.require(Perm.PLACES_MANAGE)
    unit = load_scoped(session, Unit, unit_id, actor, communities=_building_community)
    building = session.get(Building, unit.building_id)
    expect_version(unit, expected_version, lambda: unit_snapshot(unit))
    errors = FieldErrors()
    name = _check_name(errors, name)
    errors.raise_if_any()
    before = unit_snapshot(unit)
    unit.name, unit.updated_at = name, utcnow()
    return _written(session, actor, unit, "unit.update", community_id=building.community_id, before=before,
                    after=unit_snapshot)


# ---------------------------------------------------------------- rooms


def room_snapshot(room: Room) -> dict:
    return {"unit_id": room.unit_id, "number": room.number, "code": room.code, "floor": room.floor,
            "area": str(room.area), "layout": room.layout, "occupancy": str(room.occupancy)}


def _validate_room(
    session: Session, errors: FieldErrors, *, unit: Unit, building: Building, number: str, floor: int | str,
    area: Decimal | str, layout: str, occupancy: str, room_id: int | None = None,
) -> tuple[str, int, Decimal, str, Occupancy | None]:
    number = _check_code(errors, number, "number")
    floor = _parse_int(errors, floor, "floor", LOWEST_FLOOR, building.floors)
    area = _parse_area(errors, area)
    layout = layout.strip()
    if len(layout) > 32:
        errors.add("layout", "error.too_long", max=32)
    occupancy_value = parse_choice(errors, "occupancy", occupancy, Occupancy, key="places.occupancy_invalid",
                                   default=None)
    if number:
        clash = select(Room.id).where(Room.unit_id == unit.id, Room.number == number)
        if room_id is not None:
            clash = clash.where(Room.id != room_id)
        if session.exec(clash).first() is not None:
            errors.add("number", "places.room_number_taken")
    return number, floor, area, layout, occupancy_value


def _unit_context(session: Session, actor: Principal, unit_id: int) -> tuple[Unit, Building, Community]:
    unit = load_scoped(session, Unit, unit_id, actor, communities=_building_community)
    building = session.get(Building, unit.building_id)
    return unit, building, session.get(Community, building.community_id)


def create_room(
    session: Session, *, actor: Principal, unit_id: int, number: str, floor: int | str,
    area: Decimal | str, layout: str = "", occupancy: str = Occupancy.VACANT,
) -> Room:
    actor.require(Perm.PLACES_MANAGE)
    unit, building, community = _unit_context(session, actor, unit_id)
    _require_active(community)
    errors = FieldErrors()
    number, floor, area, layout, occupancy_value = _validate_room(
        session, errors, unit=unit, building=building, number=number, floor=floor, area=area, layout=layout,
        occupancy=occupancy)
    errors.raise_if_any()
    room = Room(
        community_id=community.id, building_id=building.id, unit_id=unit.id, number=number,
        code=room_code(community.code, building.code, unit.code, number),
        sort_key=room_sort_key(community.code, building.code, unit.code, floor, number), floor=floor, area=area,
        layout=layout,
        occupancy=occupancy_value,
    )
    return _written(session, actor, room, "room.create", community_id=community.id, after=room_snapshot)


def update_room(
    session: Session, *, actor: Principal, room_id: int, expected_version: int, number: str, floor: int | str,
    area: Decimal | str, layout: str, occupancy: str,
) -> Room:
    actor.require(Perm.PLACES_MANAGE)
    room = load_scoped(session, Room, room_id, actor)
    unit, building, community = _unit_context(session, actor, room.unit_id)
    expect_version(room, expected_version, lambda: room_snapshot(room))
    errors = FieldErrors()
    number, floor, area, layout, occupancy_value = _validate_room(
        session, errors, unit=unit, building=building, number=number, floor=floor, area=area, layout=layout,
        occupancy=occupancy, room_id=room.id)
    errors.raise_if_any()
    before, before_sort_key = room_snapshot(room), room.sort_key
    room.number, room.floor, room.area, room.layout, room.occupancy = number, floor, area, layout, occupancy_value
    room.code = room_code(community.code, building.code, unit.code, number)
    room.sort_key = room_sort_key(community.code, building.code, unit.code, floor, number)
    room.updated_at = utcnow()
    session.add(room)
    session.flush()
    if (room.code, room.sort_key) != (before["code"], before_sort_key):
        publish(session, RoomRenumbered(room.id, room.code, room.sort_key, actor))
    record(session, action="room.update", actor=actor, entity_type="room", entity_id=room.id,
           community_id=community.id, before=before, after=room_snapshot(room))
    return room


def assign_steward(session: Session, *, actor: Principal, building_id: int, steward_user_id: int | None) -> Building:
    """The building's steward 管家; where the community gives its household work to stewards, the building's
    open census tasks and arrears cases follow the new steward at once."""
    actor.require(Perm.PLACES_MANAGE)
    building = load_scoped(session, Building, building_id, actor)
    if steward_user_id is not None:
        is_steward = session.exec(select(UserRole).where(UserRole.user_id == steward_user_id,
                                                         UserRole.role_code == "steward")).first()
        in_community = session.exec(select(UserCommunity).where(
            UserCommunity.user_id == steward_user_id, UserCommunity.community_id == building.community_id)).first()
        if is_steward is None or in_community is None:
            raise PermissionDenied("places.not_a_steward_here")
    before = {"steward_user_id": building.steward_user_id}
    building.steward_user_id = steward_user_id
    _written(session, actor, building, "building.steward", community_id=building.community_id, before=before,
             after={"steward_user_id": steward_user_id})
    publish(session, HouseholdWorkChanged(building.community_id, actor))
    return building

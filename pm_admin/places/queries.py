"""Read-only place queries: one page at a time, always inside the principal's scope."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.auth.models import User
from pm_admin.core import change_watch
from pm_admin.core.memo import Memo
from pm_admin.core.paging import Page, PageRequest, count, order_by, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.places.models import (
    Building,
    BuildingRow,
    Community,
    CommunityRow,
    Occupancy,
    Room,
    RoomRow,
    Unit,
    UnitRow,
    natural_key,
)


def _room_count(column) -> sa.ScalarSelect:
    return sa.select(sa.func.count(Room.id)).where(column).correlate_except(Room).scalar_subquery()


# Every community (id, name) in code order: read on each page load (header switcher, filters), changed rarely.
COMMUNITIES_TOPIC = "communities"
_communities: Memo[list[tuple[int, str]]] = Memo(max_age=timedelta(seconds=60), max_entries=4)


def community_options(session: Session, principal: Principal, *, whole_scope: bool = True) -> list[tuple[int, str]]:
    """(id, name) of the communities the principal may pick (the header switcher ignores
    the current selection; page filters respect it)."""
    def read() -> list[tuple[int, str]]:
        return [(row[0], row[1]) for row in session.exec(select(Community.id, Community.name)
                                                          .order_by(Community.code)).all()]

    every = change_watch.remembered(_communities, session, COMMUNITIES_TOPIC, read)
    if whole_scope:
        return every if principal.all_communities else [c for c in every if c[0] in principal.community_ids]
    picked = principal.community_filter()
    return every if picked is None else [c for c in every if c[0] in picked]


def building_options(session: Session, principal: Principal, community_id: int) -> list[tuple[int, str]]:
    if not principal.can_access_community(community_id):
        return []
    rows = session.exec(select(Building.id, Building.name, Building.code)
                        .where(Building.community_id == community_id)).all()
    # As people read them: 2栋 before 10栋 (the codes are text, so SQL would put "10" first).
    return [(row[0], row[1]) for row in sorted(rows, key=lambda row: (natural_key(row[2]), natural_key(row[1])))]


def unit_options(session: Session, principal: Principal, building_id: int) -> list[tuple[int, str]]:
    building = session.get(Building, building_id)
    if building is None or not principal.can_access_community(building.community_id):
        return []
    statement = select(Unit.id, Unit.name).where(Unit.building_id == building_id).order_by(Unit.code)
    return [(row[0], row[1]) for row in session.exec(statement).all()]


def list_communities(session: Session, principal: Principal, request: PageRequest, search: str = "") -> Page[CommunityRow]:
    principal.require(Perm.PLACES_VIEW)
    request = request.clamp()
    buildings = (sa.select(sa.func.count(Building.id)).where(Building.community_id == Community.id)
                 .correlate_except(Building).scalar_subquery())
    rooms = _room_count(Room.community_id == Community.id)
    statement = sa.select(Community, buildings.label("buildings"), rooms.label("rooms")).where(
        principal.scope_clause(Community.id))
    if search.strip():
        like = f"%{search.strip()}%"
        statement = statement.where(sa.or_(Community.name.like(like), Community.code.like(like)))
    total = count(session, statement)
    statement = order_by(statement, request, {"code": Community.code, "name": Community.name}, [Community.code])
    rows = [
        CommunityRow(id=c.id, code=c.code, name=c.name, address=c.address, is_active=c.is_active,
                     household_work_role=str(c.household_work_role), buildings=b, rooms=r, version=c.version)
        for c, b, r in session.execute(paginate(statement, request)).all()
    ]
    return Page(rows, total, request.page, request.page_size)


def list_buildings(
    session: Session, principal: Principal, request: PageRequest, *, community_id: int | None = None
) -> Page[BuildingRow]:
    principal.require(Perm.PLACES_VIEW)
    request = request.clamp()
    units = (sa.select(sa.func.count(Unit.id)).where(Unit.building_id == Building.id)
             .correlate_except(Unit).scalar_subquery())
    rooms = _room_count(Room.building_id == Building.id)
    statement = (
        sa.select(Building, Community.name, units.label("units"), rooms.label("rooms"), User.display_name)
        .join(Community, Community.id == Building.community_id)
        .outerjoin(User, User.id == Building.steward_user_id)
        .where(principal.scope_clause(Building.community_id))
    )
    if community_id:
        statement = statement.where(Building.community_id == community_id)
    total = count(session, statement)
    statement = order_by(statement, request, {"code": Building.code, "name": Building.name},
                         [Community.code, Building.code])
    rows = [
        BuildingRow(id=b.id, community_id=b.community_id, community_name=name, code=b.code, name=b.name,
                    floors=b.floors, units=u, rooms=r, steward_user_id=b.steward_user_id or 0,
                    steward_name=steward or "", version=b.version)
        for b, name, u, r, steward in session.execute(paginate(statement, request)).all()
    ]
    return Page(rows, total, request.page, request.page_size)


def list_units(session: Session, principal: Principal, building_id: int) -> list[UnitRow]:
    principal.require(Perm.PLACES_VIEW)
    building = session.get(Building, building_id)
    if building is None or not principal.can_access_community(building.community_id):
        return []
    rooms = _room_count(Room.unit_id == Unit.id)
    statement = sa.select(Unit, rooms.label("rooms")).where(Unit.building_id == building_id).order_by(Unit.code)
    return [
        UnitRow(id=u.id, building_id=u.building_id, building_name=building.name, code=u.code, name=u.name,
                rooms=r, version=u.version)
        for u, r in session.execute(statement).all()
    ]


@dataclasses.dataclass(frozen=True)
class RoomFilter:
    community_id: int | None = None
    building_id: int | None = None
    unit_id: int | None = None
    occupancy: str = ""
    search: str = ""


def list_rooms(session: Session, principal: Principal, request: PageRequest, filters: RoomFilter) -> Page[RoomRow]:
    principal.require(Perm.PLACES_VIEW)
    request = request.clamp()
    statement = (
        sa.select(Room, Community.name, Building.name, Unit.name)
        .join(Community, Community.id == Room.community_id)
        .join(Building, Building.id == Room.building_id)
        .join(Unit, Unit.id == Room.unit_id)
        .where(principal.scope_clause(Room.community_id))
    )
    if filters.community_id:
        statement = statement.where(Room.community_id == filters.community_id)
    if filters.building_id:
        statement = statement.where(Room.building_id == filters.building_id)
    if filters.unit_id:
        statement = statement.where(Room.unit_id == filters.unit_id)
    if filters.occupancy in set(Occupancy):
        statement = statement.where(Room.occupancy == Occupancy(filters.occupancy))
    if filters.search.strip():
        statement = statement.where(Room.code.like(f"%{filters.search.strip()}%"))
    total = count(session, statement)
    statement = order_by(
        statement, request,
        {"code": Room.code, "floor": Room.floor, "area": Room.area, "occupancy": Room.occupancy},
        [Room.sort_key, Room.id],
    )
    rows = [
        RoomRow(id=r.id, community_id=r.community_id, building_id=r.building_id, unit_id=r.unit_id, code=r.code,
                community_name=c, building_name=b, unit_name=u, number=r.number, floor=r.floor,
                area=f"{r.area:.2f}", layout=r.layout, occupancy=str(r.occupancy), version=r.version)
        for r, c, b, u in session.execute(paginate(statement, request)).all()
    ]
    return Page(rows, total, request.page, request.page_size)


@dataclasses.dataclass(frozen=True)
class PlaceTotals:
    communities: int
    buildings: int
    units: int
    rooms: int
    by_occupancy: dict[str, int]
    area: str


def place_totals(session: Session, principal: Principal) -> PlaceTotals:
    scope = principal.scope_clause
    communities = session.scalar(sa.select(sa.func.count(Community.id)).where(scope(Community.id))) or 0
    buildings = session.scalar(sa.select(sa.func.count(Building.id)).where(scope(Building.community_id))) or 0
    units = session.scalar(
        sa.select(sa.func.count(Unit.id)).join(Building, Building.id == Unit.building_id)
        .where(scope(Building.community_id))) or 0
    occupancy_rows = session.execute(
        sa.select(Room.occupancy, sa.func.count(Room.id), sa.func.coalesce(sa.func.sum(Room.area), 0))
        .where(scope(Room.community_id)).group_by(Room.occupancy)).all()
    by_occupancy = {str(o): 0 for o in Occupancy}
    total_area = 0
    for occupancy, number, area in occupancy_rows:
        by_occupancy[str(occupancy)] = number
        total_area += area or 0
    return PlaceTotals(communities, buildings, units, sum(by_occupancy.values()), by_occupancy, f"{total_area:,.2f}")


def room_id_by_code(session: Session, principal: Principal, code: str) -> int | None:
    """The room with this code (C01-3-2-1502), if it exists inside the principal's communities."""
    return session.exec(select(Room.id).where(Room.code == code.strip().upper(),
                                              principal.scope_clause(Room.community_id))).first()

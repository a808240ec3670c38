"""Test data builders that go through the real services where it matters."""

from __future__ import annotations

import functools
import itertools
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from pm_admin.auth.models import LoginSession, User, UserCommunity, UserRole
from pm_admin.auth.passwords import hash_password
from pm_admin.auth.services import principal_for
from pm_admin.core.clock import utcnow
from pm_admin.core.permissions import SYSTEM, ClientInfo, Principal
from pm_admin.places.models import Building, Community, Room, Unit
from pm_admin.places.services import create_building, create_community, create_room, create_unit

PASSWORD = "Test-Password-2026"
_counter = itertools.count(1)


@functools.cache
def password_hash() -> str:
    """One real bcrypt hash reused by every factory-made user (at the suite's cost, PM_BCRYPT_ROUNDS=4)."""
    return hash_password(PASSWORD)


def community(session: Session, code: str | None = None) -> Community:
    n = next(_counter)
    return create_community(session, actor=SYSTEM, code=code or f"T{n:03d}", name=f"测试小区{n}")


def building(session: Session, community_: Community, code: str = "1", floors: int = 18) -> Building:
    return create_building(session, actor=SYSTEM, community_id=community_.id, code=code, name=f"{code}栋",
                           floors=floors)


def unit(session: Session, building_: Building, code: str = "1") -> Unit:
    return create_unit(session, actor=SYSTEM, building_id=building_.id, code=code, name=f"{code}单元")


def room(session: Session, unit_: Unit, number: str = "101", floor: int = 1, area: str = "88.50") -> Room:
    return create_room(session, actor=SYSTEM, unit_id=unit_.id, number=number, floor=floor, area=Decimal(area),
                       layout="3室2厅", occupancy="owner_occupied")


def place_tree(session: Session, code: str | None = None) -> tuple[Community, Building, Unit, Room]:
    c = community(session, code)
    b = building(session, c)
    u = unit(session, b)
    return c, b, u, room(session, u)


def user(session: Session, *roles: str, communities: tuple[Community, ...] = (), all_communities: bool = False,
         username: str | None = None) -> User:
    account = User(username=username or f"user{next(_counter)}", display_name="测试用户",
                   password_hash=password_hash(), all_communities=all_communities)
    session.add(account)
    session.flush()
    for role in roles:
        session.add(UserRole(user_id=account.id, role_code=role))
    for c in communities:
        session.add(UserCommunity(user_id=account.id, community_id=c.id))
    session.flush()
    return account


def sign_in(session: Session, account: User, *, current_community_id: int | None = None) -> Principal:
    now = utcnow()
    login = LoginSession(user_id=account.id, created_at=now, last_seen_at=now,
                         current_community_id=current_community_id)
    session.add(login)
    session.flush()
    return principal_for(session, login, account, ClientInfo(ip="127.0.0.1", user_agent="pytest"))


def place_tree_sql(connection: sa.Connection, code: str) -> tuple[int, int, int]:
    """A community, building, unit and room written in plain SQL, for databases at an older revision than the
    models: (community id, building id, room id)."""
    now = sa.bindparam("now", type_=sa.DateTime(timezone=True))

    def insert(table: str, values: dict) -> int:
        columns = ", ".join(values)
        return connection.execute(sa.text(
            f"INSERT INTO {table} ({columns}, version, created_at, updated_at) "
            f"VALUES ({', '.join(':' + c for c in values)}, 1, :now, :now) RETURNING id").bindparams(now),
            {**values, "now": utcnow()}).scalar()

    community = insert("community", {"code": code, "name": f"旧小区{code}", "address": "", "is_active": True})
    building = insert("building", {"community_id": community, "code": "1", "name": "1栋", "floors": 18})
    unit = insert("unit", {"building_id": building, "code": "1", "name": "1单元"})
    room = insert("room", {"community_id": community, "building_id": building, "unit_id": unit, "number": "101",
                           "code": f"{code}-1-1-101", "sort_key": f"{code}|0001|001|0101|00000101", "floor": 1,
                           "area": 88.5, "layout": "", "occupancy": "vacant"})
    return community, building, room

"""Test data builders that go through the real services where it matters."""

from __future__ import annotations

import functools
import itertools
from decimal import Decimal

from sqlmodel import Session

from pm_admin.auth.models import LoginSession, User, UserCommunity, UserRole
from pm_admin.auth.passwords import hash_password
from pm_admin.auth.services import principal_for
from pm_admin.core.clock import utcnow
from pm_admin.core.permissions import ClientInfo, Principal
from pm_admin.places.models import Building, Community, Room, Unit
from pm_admin.places.services import create_building, create_community, create_room, create_unit

PASSWORD = "Test-Password-2026"
_counter = itertools.count(1)


@functools.cache
def password_hash() -> str:
    """One real bcrypt hash (cost 12) reused by every factory-made user."""
    return hash_password(PASSWORD)


def community(session: Session, code: str | None = None) -> Community:
    n = next(_counter)
    return create_community(session, actor=None, code=code or f"T{n:03d}", name=f"测试小区{n}")


def building(session: Session, community_: Community, code: str = "1", floors: int = 18) -> Building:
    return create_building(session, actor=None, community_id=community_.id, code=code, name=f"{code}栋",
                           floors=floors)


def unit(session: Session, building_: Building, code: str = "1") -> Unit:
    return create_unit(session, actor=None, building_id=building_.id, code=code, name=f"{code}单元")


def room(session: Session, unit_: Unit, number: str = "101", floor: int = 1, area: str = "88.50") -> Room:
    return create_room(session, actor=None, unit_id=unit_.id, number=number, floor=floor, area=Decimal(area),
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

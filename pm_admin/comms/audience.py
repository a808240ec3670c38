"""Who a notice reaches: the households (rooms) of its places and group, and the portal accounts of each."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.arrears.models import ArrearsCase, CaseStatus
from pm_admin.comms.models import Group
from pm_admin.core.clock import local_today
from pm_admin.owners.models import Occupant, OccupantKind, Owner, Ownership
from pm_admin.places.models import Room
from pm_admin.portal.people import accounts_of_rooms


@dataclasses.dataclass(frozen=True)
class Places:
    community_id: int
    building_ids: tuple[int, ...] = ()
    unit_ids: tuple[int, ...] = ()
    room_ids: tuple[int, ...] = ()
    group: str = Group.ALL.value


def households(session: Session, places: Places) -> list[tuple[int, int]]:
    """(room, building) of every household reached: rooms with a current owner in the places, narrowed by group."""
    today = local_today()
    current = sa.or_(col(Ownership.ended_on).is_(None), Ownership.ended_on > today)
    query = select(Room.id, Room.building_id).where(
        Room.community_id == places.community_id,
        col(Room.id).in_(select(Ownership.room_id).where(current)))
    if places.building_ids:
        query = query.where(col(Room.building_id).in_(places.building_ids))
    if places.unit_ids:
        query = query.where(col(Room.unit_id).in_(places.unit_ids))
    if places.room_ids:
        query = query.where(col(Room.id).in_(places.room_ids))
    if places.group == Group.VIP:
        query = query.where(col(Room.id).in_(select(Ownership.room_id).join(Owner, Owner.id == Ownership.owner_id)
                                             .where(current, Owner.is_vip == sa.true())))
    elif places.group == Group.ARREARS:
        query = query.where(col(Room.id).in_(select(ArrearsCase.room_id).where(ArrearsCase.status == CaseStatus.OPEN)))
    elif places.group == Group.TENANTS:
        query = query.where(col(Room.id).in_(select(Occupant.room_id).where(
            Occupant.kind == OccupantKind.TENANT, sa.or_(col(Occupant.ended_on).is_(None), Occupant.ended_on > today))))
    return [(room_id, building_id) for room_id, building_id in session.exec(query.order_by(Room.id)).all()]


@dataclasses.dataclass(frozen=True)
class Preview:
    households: int
    people: int  # portal accounts
    without_account: int  # households only a call or an SMS to the registry's phone reaches
    by_channel: dict[str, int]


def preview(session: Session, places: Places, channels: list[str]) -> Preview:
    reached = households(session, places)
    accounts = accounts_of_rooms(session, [room_id for room_id, _ in reached])
    people = sum(len(found) for found in accounts.values())
    return Preview(households=len(reached), people=people,
                   without_account=sum(1 for found in accounts.values() if not found),
                   by_channel={channel: people for channel in channels})

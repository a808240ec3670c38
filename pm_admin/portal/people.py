"""Who an owner account belongs to in the registry, and which rooms that gives them today."""

from __future__ import annotations

import dataclasses
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import local_today
from pm_admin.core.crypto import decrypt
from pm_admin.core.permissions import OwnerRoom
from pm_admin.owners.models import HouseholdMember, Occupant, Owner, Ownership
from pm_admin.owners.services.records import owner_phones
from pm_admin.portal.models import AccountStatus, OwnerAccount, PersonKind


@dataclasses.dataclass(frozen=True)
class Person:
    kind: PersonKind
    person_id: int
    name: str
    phone: str  # "" when the registry has none
    rooms: tuple[OwnerRoom, ...]


def _current(ended_on_column, today: date):
    # An owner change 业主更替 ends the old owner's rooms on its day: access ends that same day.
    return sa.or_(col(ended_on_column).is_(None), ended_on_column > today)


def rooms_of_owner(session: Session, owner_id: int, today: date) -> tuple[OwnerRoom, ...]:
    rows = session.exec(select(Ownership.room_id, Ownership.community_id, Ownership.started_on).where(
        Ownership.owner_id == owner_id, Ownership.started_on <= today, _current(Ownership.ended_on, today))
        .order_by(Ownership.sort_key, Ownership.room_id)).all()
    return tuple(OwnerRoom(room_id, community_id, since) for room_id, community_id, since in rows)


def rooms_of_occupant(session: Session, occupant: Occupant, today: date) -> tuple[OwnerRoom, ...]:
    if occupant.started_on > today or (occupant.ended_on is not None and occupant.ended_on <= today):
        return ()
    return (OwnerRoom(occupant.room_id, occupant.community_id, occupant.started_on),)


def person(session: Session, kind: PersonKind | str, person_id: int, today: date | None = None) -> Person | None:
    """The registry's person with their phone and their rooms today; None if there is no such person."""
    today = today or local_today()
    kind = PersonKind(kind)
    if kind == PersonKind.OWNER:
        owner = session.get(Owner, person_id)
        if owner is None:
            return None
        phones = owner_phones(session, owner.id)
        return Person(kind, owner.id, owner.name, phones[0] if phones else "", rooms_of_owner(session, owner.id, today))
    if kind == PersonKind.MEMBER:
        member = session.get(HouseholdMember, person_id)
        if member is None:
            return None
        return Person(kind, member.id, member.name, decrypt(member.phone_enc) or "",
                      rooms_of_owner(session, member.owner_id, today))
    occupant = session.get(Occupant, person_id)
    if occupant is None:
        return None
    return Person(kind, occupant.id, occupant.name, decrypt(occupant.phone_enc) or "",
                  rooms_of_occupant(session, occupant, today))


def owner_id_of(session: Session, kind: PersonKind | str, person_id: int) -> int | None:
    """The registry owner an account speaks for (its timeline and profile requests); none for a tenant."""
    if PersonKind(kind) == PersonKind.OWNER:
        return person_id
    if PersonKind(kind) == PersonKind.MEMBER:
        member = session.get(HouseholdMember, person_id)
        return member.owner_id if member else None
    return None


def accounts_of_rooms(session: Session, room_ids: list[int], today: date | None = None) -> dict[int, list]:
    """The active portal accounts that may follow each room today: its owners, their household members, its
    occupants (one query per kind, whatever the number of rooms)."""
    today = today or local_today()
    found: dict[int, list] = {room_id: [] for room_id in room_ids}
    if not room_ids:
        return found
    owners = select(Ownership.room_id, Ownership.owner_id).where(col(Ownership.room_id).in_(room_ids),
                                                                 _current(Ownership.ended_on, today))
    owner_rows = session.exec(owners).all()
    rooms_of_owner: dict[int, list[int]] = {}
    for room_id, owner_id in owner_rows:
        rooms_of_owner.setdefault(owner_id, []).append(room_id)
    active = OwnerAccount.status == AccountStatus.ACTIVE
    if rooms_of_owner:
        for account in session.exec(select(OwnerAccount).where(active, OwnerAccount.person_kind == PersonKind.OWNER,
                                                               col(OwnerAccount.person_id).in_(rooms_of_owner))):
            for room_id in rooms_of_owner[account.person_id]:
                found[room_id].append(account)
        members = dict(session.exec(select(HouseholdMember.id, HouseholdMember.owner_id).where(
            col(HouseholdMember.owner_id).in_(rooms_of_owner))).all())
        if members:
            for account in session.exec(select(OwnerAccount).where(
                    active, OwnerAccount.person_kind == PersonKind.MEMBER, col(OwnerAccount.person_id).in_(members))):
                for room_id in rooms_of_owner[members[account.person_id]]:
                    found[room_id].append(account)
    occupants = dict(session.exec(select(Occupant.id, Occupant.room_id).where(
        col(Occupant.room_id).in_(room_ids), Occupant.started_on <= today, _current(Occupant.ended_on, today))).all())
    if occupants:
        for account in session.exec(select(OwnerAccount).where(
                active, OwnerAccount.person_kind == PersonKind.OCCUPANT, col(OwnerAccount.person_id).in_(occupants))):
            found[occupants[account.person_id]].append(account)
    return found

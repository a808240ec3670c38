"""Registering owners, editing them, and who owns which room (link, change of owner); rooms renumbered."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.audit import record
from pm_admin.core.change_text import EMPTY
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.crypto import decrypt, encrypt
from pm_admin.core.errors import ConcurrencyConflict, FieldErrors
from pm_admin.core.parsers import parse_date
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version
from pm_admin.owners.events import announce, current_rooms
from pm_admin.owners.models import (
    Owner,
    Ownership,
)
from pm_admin.owners.pinyin import pinyin_keys
from pm_admin.owners.services.owner_input import (
    CleanOwner,
    OwnerInput,
    clean_owner_input,
    id_index,
    parse_share,
)
from pm_admin.owners.services.records import (
    check_room_share,
    owner_communities,
    owner_phones,
    owner_snapshot,
    owner_tags,
    record_changes,
    require_owner_in_scope,
    room_in_scope,
    write_phones,
    write_tags,
)
from pm_admin.owners.validation import (
    birth_date_from_id,
)
from pm_admin.places.events import RoomRenumbered


def _apply(owner: Owner, clean: CleanOwner) -> None:
    owner.name = clean.name
    owner.name_pinyin, owner.name_initials = pinyin_keys(clean.name)
    owner.gender = clean.gender
    if clean.birth_date is not False:
        owner.birth_date = clean.birth_date
    if clean.id_number:
        owner.id_number_enc = encrypt(clean.id_number)
        owner.id_number_index = id_index(clean.id_number)
    if owner.id_number_enc:  # a resident ID number says when its holder was born
        owner.birth_date = birth_date_from_id(clean.id_number or decrypt(owner.id_number_enc))
    owner.address, owner.is_vip, owner.notes = clean.address, clean.is_vip, clean.notes
    owner.updated_at = utcnow()


def create_owner(
    session: Session, *, actor: Principal, data: OwnerInput, room_id: int, share: Decimal | str = "100",
    started_on: date | None = None,
) -> Owner:
    """Register a new owner of a room (业主登记)."""
    actor.require(Perm.OWNERS_EDIT)
    room = room_in_scope(session, actor, room_id)
    clean = clean_owner_input(session, data, actor=actor)
    errors = FieldErrors()
    share_value = parse_share(share, errors)
    if not errors.fields:
        check_room_share(session, room.id, share_value, errors)
    errors.raise_if_any()
    owner = Owner(name=clean.name)
    _apply(owner, clean)
    session.add(owner)
    session.flush()
    write_phones(session, owner.id, clean.phones or [])
    write_tags(session, owner.id, clean.tags)
    session.add(Ownership(owner_id=owner.id, room_id=room.id, community_id=room.community_id,
                          sort_key=room.sort_key, share=share_value,
                          started_on=started_on or local_today()))
    session.flush()
    after = owner_snapshot(session, owner)
    record_changes(session, owner_id=owner.id, actor=actor, before={}, after={"room": room.code}, kind="ownership",
                   room_id=room.id)
    record(session, action="owner.create", actor=actor, entity_type="owner",
           entity_id=owner.id, community_id=room.community_id, after=after)
    return owner


def update_owner(session: Session, *, actor: Principal, owner_id: int, expected_version: int, data: OwnerInput) -> Owner:
    actor.require(Perm.OWNERS_EDIT)
    owner = require_owner_in_scope(session, actor, owner_id)
    before = owner_snapshot(session, owner)
    expect_version(owner, expected_version, lambda: before)
    clean = clean_owner_input(session, _with_kept_phones(session, owner.id, data), owner_id=owner.id, actor=actor)
    _apply(owner, clean)
    session.add(owner)
    if clean.phones is not None:
        write_phones(session, owner.id, clean.phones)
    write_tags(session, owner.id, clean.tags)
    session.flush()
    after = owner_snapshot(session, owner)
    record_changes(session, owner_id=owner.id, actor=actor, before=before, after=after)
    record(session, action="owner.update", actor=actor, entity_type="owner", entity_id=owner.id,
           community_id=any_community(session, owner.id), before=before, after=after)
    announce_contact(session, owner, before, after, actor.username)
    return owner


def update_contact(session: Session, *, actor: Principal, owner_id: int, phone: str = "", phone2: str = "",
                   drop_phone2: bool = False, address: str | None = None) -> Owner:
    """A change of contact data only (an owner's request from the portal, approved by ``actor``): the first phone,
    the second phone (or dropping it), the address; blank or None keeps what is stored. It is an owner edit like
    any other — the other fields as stored, so the owner history, the audit log and the rooms' archive change
    records show it the same way."""
    owner = require_owner_in_scope(session, actor, owner_id)
    data = OwnerInput(name=owner.name, gender=str(owner.gender), phones=[phone, phone2],
                      address=owner.address if address is None else address, is_vip=owner.is_vip,
                      tags=owner_tags(session, owner.id), notes=owner.notes, drop_phone2=drop_phone2)
    return update_owner(session, actor=actor, owner_id=owner.id, expected_version=owner.version, data=data)


def announce_contact(session: Session, owner: Owner, before: dict, after: dict, actor_name: str) -> None:
    """A changed phone or address goes to the archive change record of the owner's rooms (seed 001 4.4.1)."""
    for field in ("phones", "address"):
        if before[field] != after[field]:
            announce(session, "contact_changed", owner.id, current_rooms(session, owner.id), actor_name,
                     f"owners.event.{field}_changed", name=owner.name, old=before[field] or EMPTY,
                     new=after[field] or EMPTY)


def _with_kept_phones(session: Session, owner_id: int, data: OwnerInput) -> OwnerInput:
    """A blank phone position keeps the stored number there, so typing a new first phone keeps the second."""
    stored = owner_phones(session, owner_id)
    if not any(p.strip() for p in data.phones) and not data.drop_phone2:
        return data
    typed = list(data.phones) + [""] * max(0, len(stored) - len(data.phones))
    merged = [new.strip() or (stored[i] if i < len(stored) else "") for i, new in enumerate(typed)]
    if data.drop_phone2:
        merged = merged[:1]
    return dataclasses.replace(data, phones=merged)


def any_community(session: Session, owner_id: int) -> int | None:
    return min(owner_communities(session, owner_id), default=None)


def link_owner_to_room(
    session: Session, *, actor: Principal, owner_id: int, room_id: int, share: Decimal | str = "100",
    started_on: date | None = None,
) -> Ownership:
    """An owner already registered also owns this room (the answer to a duplicate ID number)."""
    ownership = _link_owner(session, actor=actor, owner_id=owner_id, room_id=room_id, share=share,
                            started_on=started_on)
    owner = session.get(Owner, owner_id)
    announce(session, "owner_changed", owner_id, (room_id,), actor.username,
             "owners.event.owner_added", name=owner.name, share=ownership.share, since=ownership.started_on)
    return ownership


def _link_owner(
    session: Session, *, actor: Principal, owner_id: int, room_id: int, share: Decimal | str,
    started_on: date | None,
) -> Ownership:
    actor.require(Perm.OWNERS_EDIT)
    room = room_in_scope(session, actor, room_id)
    # Linking someone else's owner into this room would show their other rooms and let them be edited here.
    require_owner_in_scope(session, actor, owner_id)
    errors = FieldErrors()
    share_value = parse_share(share, errors)
    current = session.exec(select(Ownership.id).where(Ownership.owner_id == owner_id, Ownership.room_id == room_id,
                                                      col(Ownership.ended_on).is_(None))).first()
    if current is not None:
        errors.add("room_code", "owners.already_owner")  # the field the register dialog names the room in
    if not errors.fields:
        check_room_share(session, room.id, share_value, errors)
    errors.raise_if_any()
    ownership = Ownership(owner_id=owner_id, room_id=room.id, community_id=room.community_id, sort_key=room.sort_key,
                          share=share_value,
                          started_on=started_on or local_today())
    session.add(ownership)
    session.flush()
    record_changes(session, owner_id=owner_id, actor=actor, before={}, after={"room": room.code}, kind="ownership",
                   room_id=room.id)
    record(session, action="owner.link_room", actor=actor,
           entity_type="owner", entity_id=owner_id, community_id=room.community_id,
           after={"room": room.code, "share": str(share_value)})
    return ownership


def change_room_owner(
    session: Session, *, actor: Principal, room_id: int, transfer_date: date | str, new_owner_id: int | None = None,
    new_owner: OwnerInput | None = None, share: Decimal | str = "100", expected_owner_id: int | None = None,
) -> Owner:
    """业主更替: end every current ownership of the room and start the new owner's; history kept.

    ``expected_owner_id`` is the owner the user saw on the room: if someone changed the owner in
    the meantime, the change is refused instead of ending the other person's new ownership.
    """
    actor.require(Perm.OWNERS_EDIT)
    room = room_in_scope(session, actor, room_id)
    if new_owner_id is not None:
        require_owner_in_scope(session, actor, new_owner_id)  # checked before anything is ended
    current = session.exec(select(Ownership).where(Ownership.room_id == room.id,
                                                   col(Ownership.ended_on).is_(None))).all()
    if expected_owner_id is not None and expected_owner_id not in {o.owner_id for o in current}:
        raise ConcurrencyConflict({"room": room.code, "owners": [o.owner_id for o in current],
                                   "owner_names": [session.get(Owner, o.owner_id).name for o in current]})
    errors = FieldErrors()
    transfer_date = parse_date(errors, "transfer_date", transfer_date, not_after=local_today())
    if transfer_date is not None and current and transfer_date < max(o.started_on for o in current):
        errors.add("transfer_date", "owners.date_before_start")
    if new_owner_id is None and new_owner is None:
        errors.add("new_owner", "error.required")
    if new_owner_id is not None and any(o.owner_id == new_owner_id for o in current):
        errors.add("new_owner", "owners.already_owner")
    share_value = parse_share(share, errors)
    errors.raise_if_any()
    for ownership in current:
        ownership.ended_on, ownership.end_reason = transfer_date, "transfer"
        session.add(ownership)
        record_changes(session, owner_id=ownership.owner_id, actor=actor, before={"room": room.code},
                       after={"room": ""}, kind="ownership", room_id=room.id)
    session.flush()
    if new_owner_id is not None:
        _link_owner(session, actor=actor, owner_id=new_owner_id, room_id=room.id, share=share_value,
                    started_on=transfer_date)
        owner = session.get(Owner, new_owner_id)
    else:
        owner = create_owner(session, actor=actor, data=new_owner, room_id=room.id, share=share_value,
                             started_on=transfer_date)
    record(session, action="room.owner_change", actor=actor, entity_type="room", entity_id=room.id,
           community_id=room.community_id,
           details={"previous_owner_ids": [o.owner_id for o in current], "new_owner_id": owner.id,
                    "transfer_date": transfer_date.isoformat()})
    previous = " / ".join(session.get(Owner, o.owner_id).name for o in current) or EMPTY
    announce(session, "owner_changed", owner.id, (room.id,), actor.username, "owners.event.owner_changed",
             previous=previous, name=owner.name, day=transfer_date)
    return owner


def follow_room(session: Session, event: RoomRenumbered) -> None:
    """Ownerships carry their room's sort key, so the owner grid sorts on one index."""
    session.exec(sa.update(Ownership).where(Ownership.room_id == event.room_id).values(sort_key=event.sort_key))

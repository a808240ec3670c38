"""Household members of an owner and occupants of a room (tenants, relatives living there)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from pm_admin.core.audit import record
from pm_admin.core.change_text import EMPTY
from pm_admin.core.clock import local_today
from pm_admin.core.crypto import decrypt, encrypt
from pm_admin.core.errors import FieldErrors
from pm_admin.core.i18n import DEFAULT_LANGUAGE, translate
from pm_admin.core.masking import mask_id_number, mask_phone
from pm_admin.core.parsers import clean_text, parse_choice, parse_date
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version, load_scoped
from pm_admin.owners.events import announce, current_rooms
from pm_admin.owners.models import (
    HouseholdMember,
    Occupant,
    OccupantKind,
    Ownership,
    Relation,
)
from pm_admin.owners.services.records import (
    communities_of_owner,
    id_index,
    phone_index,
    record_changes,
    require_owner_in_scope,
    room_in_scope,
)
from pm_admin.owners.services.registry import any_community
from pm_admin.owners.validation import (
    Phone,
    id_number_problem,
    normalize_id_number,
    parse_phone,
)
from pm_admin.places.models import Room


def clean_person(errors: FieldErrors, name: str, phone: str, id_number: str) -> tuple[str, Phone | None, str | None]:
    name = clean_text(errors, "name", name, max_length=64, required=True)
    parsed = None
    if phone.strip():
        parsed = parse_phone(phone)
        if parsed is None:
            errors.add("phone", "owners.phone_invalid")
    normalized = normalize_id_number(id_number) if id_number.strip() else None
    if normalized and (problem := id_number_problem(normalized)):
        errors.add("id_number", problem)
    return name, parsed, normalized


def encrypted_contact(phone: Phone | None, id_number: str | None) -> dict:
    """The stored form of a person's phone and ID number: ciphertext plus blind index."""
    return {"phone_enc": encrypt(phone.display) if phone else None, "phone_index": phone_index(phone) if phone else None,
            "id_number_enc": encrypt(id_number), "id_number_index": id_index(id_number) if id_number else None}


def _member_snapshot(member: HouseholdMember) -> dict:
    # The history keeps text, not codes: the relation in the default language, like the names around it.
    relation = translate(f"relation.{member.relation}", DEFAULT_LANGUAGE)
    return {"member": f"{member.name}（{relation}）",
            "member_phone": mask_phone(decrypt(member.phone_enc)),
            "member_id_number": mask_id_number(decrypt(member.id_number_enc))}


def _clean_member(relation: str, name: str, phone: str,
                  id_number: str) -> tuple[Relation, str, Phone | None, str | None]:
    errors = FieldErrors()
    relation_value = parse_choice(errors, "relation", relation, Relation, key="owners.relation_invalid",
                                  default=Relation.OTHER)
    name, parsed, normalized = clean_person(errors, name, phone, id_number)
    errors.raise_if_any()
    return relation_value, name, parsed, normalized


def add_member(session: Session, *, actor: Principal, owner_id: int, relation: str, name: str, phone: str = "",
               id_number: str = "") -> HouseholdMember:
    actor.require(Perm.OWNERS_EDIT)
    require_owner_in_scope(session, actor, owner_id)
    relation_value, name, parsed, normalized = _clean_member(relation, name, phone, id_number)
    member = HouseholdMember(owner_id=owner_id, relation=relation_value, name=name,
                             **encrypted_contact(parsed, normalized))
    session.add(member)
    session.flush()
    record_changes(session, owner_id=owner_id, actor=actor, before={}, after=_member_snapshot(member),
                   kind="household")
    record(session, action="owner.member_add", actor=actor, entity_type="owner", entity_id=owner_id,
           community_id=any_community(session, owner_id), after=_member_snapshot(member))
    _announce_member(session, member.owner_id, actor, "owners.event.member_added", name=member.name,
                     phone=_member_snapshot(member)["member_phone"])
    return member


def _announce_member(session: Session, owner_id: int, actor: Principal, key: str, *, contact: bool = False,
                     **params) -> None:
    """Household changes (住户) and their phones go to the archive change record of the owner's current rooms
    like the owner's own contact data (seed 001 4.4.1)."""
    announce(session, "contact_changed" if contact else "occupant_changed", owner_id, current_rooms(session, owner_id),
             actor.username, key, **params)


def update_member(session: Session, *, actor: Principal, member_id: int, expected_version: int, relation: str,
                  name: str, phone: str = "", id_number: str = "") -> HouseholdMember:
    """Correct a household member; a blank phone or ID number keeps the stored one (never shown in plain)."""
    actor.require(Perm.OWNERS_EDIT)
    member = load_scoped(session, HouseholdMember, member_id, actor, communities=communities_of_owner, entity="member")
    before = _member_snapshot(member)
    expect_version(member, expected_version, lambda: before)
    relation_value, name, parsed, normalized = _clean_member(relation, name, phone, id_number)
    member.relation, member.name = relation_value, name
    if parsed is not None:
        member.phone_enc, member.phone_index = encrypt(parsed.display), phone_index(parsed)
    if normalized is not None:
        member.id_number_enc, member.id_number_index = encrypt(normalized), id_index(normalized)
    session.add(member)
    session.flush()
    after = _member_snapshot(member)
    record_changes(session, owner_id=member.owner_id, actor=actor, before=before, after=after, kind="household")
    record(session, action="owner.member_update", actor=actor, entity_type="owner", entity_id=member.owner_id,
           community_id=any_community(session, member.owner_id), before=before, after=after)
    if before["member"] != after["member"]:
        _announce_member(session, member.owner_id, actor, "owners.event.member_changed", old=before["member"],
                         new=after["member"])
    if before["member_id_number"] != after["member_id_number"]:
        _announce_member(session, member.owner_id, actor, "owners.event.member_id_changed", name=member.name,
                         old=before["member_id_number"] or EMPTY, new=after["member_id_number"])
    if before["member_phone"] != after["member_phone"]:
        _announce_member(session, member.owner_id, actor, "owners.event.member_phone_changed", contact=True,
                         name=member.name, old=before["member_phone"] or EMPTY, new=after["member_phone"] or EMPTY)
    return member


def remove_member(session: Session, *, actor: Principal, member_id: int, expected_version: int) -> None:
    actor.require(Perm.OWNERS_EDIT)
    member = load_scoped(session, HouseholdMember, member_id, actor, communities=communities_of_owner, entity="member")
    expect_version(member, expected_version, lambda: _member_snapshot(member))
    before = _member_snapshot(member)
    session.delete(member)
    record_changes(session, owner_id=member.owner_id, actor=actor, before=before, after={}, kind="household")
    record(session, action="owner.member_remove", actor=actor, entity_type="owner", entity_id=member.owner_id,
           community_id=any_community(session, member.owner_id), before=before)
    _announce_member(session, member.owner_id, actor, "owners.event.member_removed", name=member.name)


def _current_owner_ids(session: Session, room_id: int) -> list[int]:
    return list(session.exec(select(Ownership.owner_id).where(Ownership.room_id == room_id,
                                                              col(Ownership.ended_on).is_(None))).all())


def add_occupant(session: Session, *, actor: Principal, room_id: int, kind: str, name: str, phone: str = "",
                 id_number: str = "", started_on: date | str | None = None) -> Occupant:
    actor.require(Perm.OWNERS_EDIT)
    room = room_in_scope(session, actor, room_id)
    errors = FieldErrors()
    kind_value = parse_choice(errors, "kind", kind, OccupantKind, key="owners.occupant_kind_invalid",
                              default=OccupantKind.OCCUPANT)
    name, parsed, normalized = clean_person(errors, name, phone, id_number)
    started_on = local_today() if started_on is None else parse_date(errors, "started_on", started_on)
    errors.raise_if_any()
    occupant = Occupant(room_id=room.id, community_id=room.community_id, kind=kind_value, name=name,
                        started_on=started_on, **encrypted_contact(parsed, normalized))
    session.add(occupant)
    session.flush()
    after = {"occupant": f"{name}（{kind_value}）", "occupant_phone": mask_phone(parsed.display if parsed else "")}
    for owner_id in _current_owner_ids(session, room.id):
        record_changes(session, owner_id=owner_id, actor=actor, before={}, after=after, kind="occupant",
                       room_id=room.id)
    record(session, action="room.occupant_add", actor=actor,
           entity_type="room", entity_id=room.id, community_id=room.community_id, after=after)
    _announce_occupant(session, room.id, f"owners.event.{kind_value}_added", actor, name=name,
                       phone=after["occupant_phone"])
    return occupant


def _announce_occupant(session: Session, room_id: int, key: str, actor: Principal, **params) -> None:
    """住户更替 belongs in the room's archive change record like an owner change (seed 001 4.4.1)."""
    owners = _current_owner_ids(session, room_id)
    announce(session, "occupant_changed", min(owners, default=0), (room_id,), actor.username,
             key, **params)


def end_occupant(session: Session, *, actor: Principal, occupant_id: int, ended_on: date) -> None:
    actor.require(Perm.OWNERS_EDIT)
    occupant = load_scoped(session, Occupant, occupant_id, actor, communities=_room_community, entity="occupant")
    errors = FieldErrors()
    if ended_on < occupant.started_on:
        errors.add("ended_on", "owners.date_before_start")
    errors.raise_if_any()
    occupant.ended_on = ended_on
    session.add(occupant)
    before = {"occupant": f"{occupant.name}（{occupant.kind}）"}
    for owner_id in _current_owner_ids(session, occupant.room_id):
        record_changes(session, owner_id=owner_id, actor=actor, before=before, after={}, kind="occupant",
                       room_id=occupant.room_id)
    record(session, action="room.occupant_end", actor=actor, entity_type="room", entity_id=occupant.room_id,
           community_id=occupant.community_id, before=before)
    _announce_occupant(session, occupant.room_id, f"owners.event.{occupant.kind}_ended", actor, name=occupant.name,
                       day=ended_on)


def _room_community(session: Session, occupant: Occupant) -> tuple[int | None]:
    room = session.get(Room, occupant.room_id)
    return (room.community_id if room else None,)

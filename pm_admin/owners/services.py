"""Owner registry changes: validated, scoped, recorded in the owner's history and the audit log."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from pm_admin.core.audit import record
from pm_admin.core.change_text import EMPTY
from pm_admin.core.clock import utcnow
from pm_admin.core.crypto import blind_index, decrypt, encrypt
from pm_admin.core.errors import ConcurrencyConflict, FieldErrors, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.i18n import DEFAULT_LANGUAGE, translate
from pm_admin.core.masking import mask_birth_date, mask_id_number, mask_phone
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.events import announce, current_rooms
from pm_admin.owners.models import (
    Gender,
    HouseholdMember,
    Occupant,
    OccupantKind,
    Owner,
    OwnerChange,
    OwnerPhone,
    Ownership,
    OwnerTag,
    Relation,
)
from pm_admin.owners.pinyin import pinyin_keys
from pm_admin.owners.validation import (
    Phone,
    birth_date_from_id,
    birth_date_problem,
    gender_from_id,
    id_number_problem,
    normalize_id_number,
    parse_day,
    parse_phone,
)
from pm_admin.places.events import RoomRenumbered
from pm_admin.places.models import Room
from pm_admin.places.queries import room_id_by_code

MAX_TAGS = 10
MAX_TAG_LENGTH = 16
MIN_REASON_LENGTH = 4
ID_KIND, PHONE_KIND = "id", "phone"


@dataclasses.dataclass
class OwnerInput:
    """What a form or an import row says about an owner. On update, an empty ``id_number`` or an empty
    phone position keeps what is stored (the form never shows the plaintext to edit); ``drop_phone2``
    removes the second phone."""

    name: str = ""
    gender: str = Gender.UNKNOWN.value
    id_number: str = ""
    phones: list[str] = dataclasses.field(default_factory=list)
    address: str = ""
    is_vip: bool = False
    tags: list[str] = dataclasses.field(default_factory=list)
    notes: str = ""
    drop_phone2: bool = False
    # Typed birth date (2024-05-01) for owners without a resident ID; with one it must agree with it.
    # None keeps what is stored, "" clears it (an owner with an ID number keeps the date the ID gives).
    birth_date: str | None = None


@dataclasses.dataclass(frozen=True)
class CleanOwner:
    name: str
    gender: Gender
    id_number: str | None  # normalised; None = none given (keep on update)
    birth_date: date | None | bool  # False = keep the stored one
    phones: list[Phone] | None  # None = keep on update
    address: str
    is_vip: bool
    tags: list[str]
    notes: str


class DuplicateOwner(ValidationFailed):
    """The ID number belongs to an owner already registered: offer that owner instead."""

    def __init__(self, existing_id: int, existing_name: str) -> None:
        super().__init__({"id_number": ("owners.duplicate_id", {"name": existing_name})})
        self.existing_id = existing_id
        self.existing_name = existing_name


# ---------------------------------------------------------------- helpers


def id_index(id_number: str) -> str | None:
    return blind_index(ID_KIND, normalize_id_number(id_number)) if id_number else None


def phone_index(phone: Phone) -> str:
    return blind_index(PHONE_KIND, phone.e164)


def clean_tags(raw: Iterable[str], errors: FieldErrors) -> list[str]:
    tags = sorted({t.strip() for t in raw if t and t.strip()})
    if len(tags) > MAX_TAGS:
        errors.add("tags", "owners.too_many_tags", max=MAX_TAGS)
    if any(len(t) > MAX_TAG_LENGTH for t in tags):
        errors.add("tags", "owners.tag_too_long", max=MAX_TAG_LENGTH)
    return tags


def clean_owner_input(session: Session, data: OwnerInput, *, owner_id: int | None = None,
                      actor: Principal) -> CleanOwner:
    """Validate every field at once; raises ValidationFailed (or DuplicateOwner) with all problems.

    An ID number already registered is offered as that owner (DuplicateOwner) only when the owner is
    in the actor's communities; otherwise the message beside the field names nobody."""
    errors = FieldErrors()
    name = data.name.strip()
    if not name:
        errors.add("name", "error.required")
    elif len(name) > 64:
        errors.add("name", "error.too_long", max=64)
    try:
        gender = Gender(data.gender or Gender.UNKNOWN)
    except ValueError:
        errors.add("gender", "owners.gender_invalid")
        gender = Gender.UNKNOWN
    id_number = normalize_id_number(data.id_number) if data.id_number.strip() else None
    if id_number and (problem := id_number_problem(id_number)):
        errors.add("id_number", problem)
    birth_date = _clean_birth_date(session, data.birth_date, id_number, owner_id, errors)
    phones: list[Phone] | None = None
    if any(p and p.strip() for p in data.phones):
        phones = []
        for position, raw in enumerate(data.phones):  # blanks skipped, but a message stays beside its own field
            if not (raw and raw.strip()):
                continue
            parsed = parse_phone(raw)
            if parsed is None:
                errors.add("phone" if position == 0 else f"phone{position + 1}", "owners.phone_invalid")
            elif parsed.e164 not in {p.e164 for p in phones}:
                phones.append(parsed)
    elif owner_id is None:
        errors.add("phone", "owners.phone_required")
    if len(data.address.strip()) > 200:
        errors.add("address", "error.too_long", max=200)
    if len(data.notes) > 2000:
        errors.add("notes", "error.too_long", max=2000)
    tags = clean_tags(data.tags, errors)
    errors.raise_if_any()
    if id_number:
        existing = session.exec(select(Owner.id, Owner.name).where(Owner.id_number_index == id_index(id_number))).first()
        if existing is not None and existing[0] != owner_id:
            if not owner_in_scope(session, actor, existing[0]):
                raise ValidationFailed({"id_number": ("import.id_out_of_scope", {})})
            raise DuplicateOwner(existing[0], existing[1])
    if id_number and gender == Gender.UNKNOWN:
        gender = Gender(gender_from_id(id_number))
    return CleanOwner(name=name, gender=gender, id_number=id_number, birth_date=birth_date, phones=phones,
                      address=data.address.strip(), is_vip=data.is_vip, tags=tags, notes=data.notes.strip())


def _clean_birth_date(session: Session, typed: str | None, id_number: str | None, owner_id: int | None,
                      errors: FieldErrors) -> date | None | bool:
    """The birth date to store (None: none), or False to keep the stored one. Checked against the ID number
    typed, else the one stored."""
    if typed is None:
        return False
    if not typed.strip():
        return None
    born = parse_day(typed)
    if born is None:
        errors.add("birth_date", "import.date_invalid")
        return False
    if id_number is None and owner_id is not None:
        stored = session.get(Owner, owner_id)
        id_number = decrypt(stored.id_number_enc) if stored is not None else None
    if problem := birth_date_problem(born, id_number):
        errors.add("birth_date", problem)
    return born


def owner_phones(session: Session, owner_id: int) -> list[str]:
    rows = session.exec(select(OwnerPhone).where(OwnerPhone.owner_id == owner_id)
                        .order_by(col(OwnerPhone.is_primary).desc(), OwnerPhone.id)).all()
    return [decrypt(row.phone_enc) for row in rows]


def owner_tags(session: Session, owner_id: int) -> list[str]:
    return sorted(session.exec(select(OwnerTag.tag).where(OwnerTag.owner_id == owner_id)).all())


def owner_snapshot(session: Session, owner: Owner) -> dict:
    """The owner as history and conflicts show it: personal data masked."""
    return {
        "name": owner.name,
        "gender": str(owner.gender),
        "birth_date": mask_birth_date(owner.birth_date),
        "id_number": mask_id_number(decrypt(owner.id_number_enc)),
        "phones": ", ".join(mask_phone(p) for p in owner_phones(session, owner.id)),
        "address": owner.address,
        "is_vip": owner.is_vip,
        "tags": ", ".join(owner_tags(session, owner.id)),
        "notes": owner.notes,
    }


CHANGE_KINDS = {"phones": "contact", "address": "contact", "id_number": "identity"}


def record_changes(session: Session, *, owner_id: int, actor: Principal, before: dict, after: dict,
                   kind: str | None = None, room_id: int | None = None) -> int:
    """One history row per changed field (values already masked by the snapshots)."""
    changed = 0
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field, ""), after.get(field, "")
        if str(old) == str(new):
            continue
        session.add(OwnerChange(
            owner_id=owner_id, actor_user_id=actor.audit_user_id,
            actor_name=actor.username, kind=kind or CHANGE_KINDS.get(field, "profile"),
            field=field, old_value=str(old)[:300], new_value=str(new)[:300], room_id=room_id,
        ))
        changed += 1
    return changed


def owner_communities(session: Session, owner_id: int) -> set[int]:
    return set(session.exec(select(Ownership.community_id).where(Ownership.owner_id == owner_id)).all())


def owner_in_scope(session: Session, actor: Principal, owner_id: int) -> bool:
    """The owner holds or held a room in one of the actor's communities (what makes a profile visible)."""
    return actor.all_communities or any(actor.can_access_community(c) for c in owner_communities(session, owner_id))


def require_owner_in_scope(session: Session, actor: Principal, owner_id: int) -> Owner:
    owner = session.get(Owner, owner_id)
    if owner is None:
        raise NotFound("owner")
    if not owner_in_scope(session, actor, owner_id):
        raise PermissionDenied("error.out_of_scope")
    return owner


def _room_in_scope(session: Session, actor: Principal, room_id: int) -> Room:
    room = session.get(Room, room_id)
    if room is None:
        raise NotFound("room")
    actor.require_community(room.community_id)
    return room


def room_for_code(session: Session, *, actor: Principal, code: str) -> int:
    """The room a form names by its code (C01-3-2-1502), inside the actor's communities."""
    room_id = room_id_by_code(session, actor, code)
    if room_id is None:
        raise ValidationFailed({"room_code": ("owners.room_unknown", {})})
    return room_id


def form_day(value: date | str, field: str, errors: FieldErrors) -> date | None:
    """A date from a form (2024-05-01) or from code; a bad one is reported beside ``field``."""
    if isinstance(value, date):
        return value
    day = parse_day(value)
    if day is None:
        errors.add(field, "import.date_invalid")
    return day


def parse_share(raw: Decimal | str | int, errors: FieldErrors) -> Decimal:
    try:
        share = Decimal(str(raw).strip().rstrip("%"))
    except InvalidOperation:
        errors.add("share", "owners.share_invalid")
        return Decimal(0)
    if not share.is_finite() or not Decimal(0) < share <= Decimal(100):
        errors.add("share", "owners.share_invalid")
    return share.quantize(Decimal("0.01")) if share.is_finite() else share


def _check_room_share(session: Session, room_id: int, share: Decimal, errors: FieldErrors,
                      ignore_owner_id: int | None = None) -> None:
    statement = select(sa.func.coalesce(sa.func.sum(Ownership.share), 0)).where(
        Ownership.room_id == room_id, col(Ownership.ended_on).is_(None))
    if ignore_owner_id is not None:
        statement = statement.where(Ownership.owner_id != ignore_owner_id)
    taken = Decimal(str(session.exec(statement).one()))
    if taken + share > Decimal(100):
        errors.add("share", "owners.share_exceeds", free=str(Decimal(100) - taken))


def _write_phones(session: Session, owner_id: int, phones: list[Phone]) -> None:
    session.exec(delete(OwnerPhone).where(OwnerPhone.owner_id == owner_id))
    for position, phone in enumerate(phones):
        session.add(OwnerPhone(owner_id=owner_id, phone_enc=encrypt(phone.display), phone_index=phone_index(phone),
                               is_primary=position == 0))


def _write_tags(session: Session, owner_id: int, tags: list[str]) -> None:
    session.exec(delete(OwnerTag).where(OwnerTag.owner_id == owner_id))
    for tag in tags:
        session.add(OwnerTag(owner_id=owner_id, tag=tag))


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


# ---------------------------------------------------------------- owners


def create_owner(
    session: Session, *, actor: Principal, data: OwnerInput, room_id: int, share: Decimal | str = "100",
    started_on: date | None = None,
) -> Owner:
    """Register a new owner of a room (业主登记)."""
    actor.require(Perm.OWNERS_EDIT)
    room = _room_in_scope(session, actor, room_id)
    clean = clean_owner_input(session, data, actor=actor)
    errors = FieldErrors()
    share_value = parse_share(share, errors)
    if not errors.fields:
        _check_room_share(session, room.id, share_value, errors)
    errors.raise_if_any()
    owner = Owner(name=clean.name)
    _apply(owner, clean)
    session.add(owner)
    session.flush()
    _write_phones(session, owner.id, clean.phones or [])
    _write_tags(session, owner.id, clean.tags)
    session.add(Ownership(owner_id=owner.id, room_id=room.id, community_id=room.community_id,
                          sort_key=room.sort_key, share=share_value,
                          started_on=started_on or date.today()))
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
    if owner.version != expected_version:
        raise ConcurrencyConflict(before)
    clean = clean_owner_input(session, _with_kept_phones(session, owner.id, data), owner_id=owner.id, actor=actor)
    _apply(owner, clean)
    session.add(owner)
    if clean.phones is not None:
        _write_phones(session, owner.id, clean.phones)
    _write_tags(session, owner.id, clean.tags)
    session.flush()
    after = owner_snapshot(session, owner)
    record_changes(session, owner_id=owner.id, actor=actor, before=before, after=after)
    record(session, action="owner.update", actor=actor, entity_type="owner", entity_id=owner.id,
           community_id=_any_community(session, owner.id), before=before, after=after)
    announce_contact(session, owner, before, after, actor.username)
    return owner


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


def _any_community(session: Session, owner_id: int) -> int | None:
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
    room = _room_in_scope(session, actor, room_id)
    # Linking someone else's owner into this room would show their other rooms and let them be edited here.
    require_owner_in_scope(session, actor, owner_id)
    errors = FieldErrors()
    share_value = parse_share(share, errors)
    current = session.exec(select(Ownership.id).where(Ownership.owner_id == owner_id, Ownership.room_id == room_id,
                                                      col(Ownership.ended_on).is_(None))).first()
    if current is not None:
        errors.add("room_code", "owners.already_owner")  # the field the register dialog names the room in
    if not errors.fields:
        _check_room_share(session, room.id, share_value, errors)
    errors.raise_if_any()
    ownership = Ownership(owner_id=owner_id, room_id=room.id, community_id=room.community_id, sort_key=room.sort_key,
                          share=share_value,
                          started_on=started_on or date.today())
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
    room = _room_in_scope(session, actor, room_id)
    if new_owner_id is not None:
        require_owner_in_scope(session, actor, new_owner_id)  # checked before anything is ended
    current = session.exec(select(Ownership).where(Ownership.room_id == room.id,
                                                   col(Ownership.ended_on).is_(None))).all()
    if expected_owner_id is not None and expected_owner_id not in {o.owner_id for o in current}:
        raise ConcurrencyConflict({"room": room.code, "owners": [o.owner_id for o in current],
                                   "owner_names": [session.get(Owner, o.owner_id).name for o in current]})
    errors = FieldErrors()
    transfer_date = form_day(transfer_date, "transfer_date", errors)
    if transfer_date is not None and transfer_date > date.today():
        errors.add("transfer_date", "owners.date_in_future")
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


# ---------------------------------------------------------------- household and occupants


def _clean_person(errors: FieldErrors, name: str, phone: str, id_number: str) -> tuple[str, Phone | None, str | None]:
    name = name.strip()
    if not name:
        errors.add("name", "error.required")
    elif len(name) > 64:
        errors.add("name", "error.too_long", max=64)
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
    try:
        relation_value = Relation(relation)
    except ValueError:
        errors.add("relation", "owners.relation_invalid")
        relation_value = Relation.OTHER
    name, parsed, normalized = _clean_person(errors, name, phone, id_number)
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
           community_id=_any_community(session, owner_id), after=_member_snapshot(member))
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
    member = session.get(HouseholdMember, member_id)
    if member is None:
        raise NotFound("member")
    require_owner_in_scope(session, actor, member.owner_id)
    before = _member_snapshot(member)
    if member.version != expected_version:
        raise ConcurrencyConflict(before)
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
           community_id=_any_community(session, member.owner_id), before=before, after=after)
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
    member = session.get(HouseholdMember, member_id)
    if member is None:
        raise NotFound("member")
    require_owner_in_scope(session, actor, member.owner_id)
    if member.version != expected_version:
        raise ConcurrencyConflict(_member_snapshot(member))
    before = _member_snapshot(member)
    session.delete(member)
    record_changes(session, owner_id=member.owner_id, actor=actor, before=before, after={}, kind="household")
    record(session, action="owner.member_remove", actor=actor, entity_type="owner", entity_id=member.owner_id,
           community_id=_any_community(session, member.owner_id), before=before)
    _announce_member(session, member.owner_id, actor, "owners.event.member_removed", name=member.name)


def _current_owner_ids(session: Session, room_id: int) -> list[int]:
    return list(session.exec(select(Ownership.owner_id).where(Ownership.room_id == room_id,
                                                              col(Ownership.ended_on).is_(None))).all())


def add_occupant(session: Session, *, actor: Principal, room_id: int, kind: str, name: str, phone: str = "",
                 id_number: str = "", started_on: date | str | None = None) -> Occupant:
    actor.require(Perm.OWNERS_EDIT)
    room = _room_in_scope(session, actor, room_id)
    errors = FieldErrors()
    try:
        kind_value = OccupantKind(kind)
    except ValueError:
        errors.add("kind", "owners.occupant_kind_invalid")
        kind_value = OccupantKind.OCCUPANT
    name, parsed, normalized = _clean_person(errors, name, phone, id_number)
    started_on = date.today() if started_on is None else form_day(started_on, "started_on", errors)
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
    occupant = session.get(Occupant, occupant_id)
    if occupant is None:
        raise NotFound("occupant")
    _room_in_scope(session, actor, occupant.room_id)
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


# ---------------------------------------------------------------- bulk actions


def _owners_in_scope(session: Session, actor: Principal, owner_ids: Iterable[int]) -> list[Owner]:
    ids = sorted(set(owner_ids))
    owners = [require_owner_in_scope(session, actor, owner_id) for owner_id in ids]
    return owners


def bulk_set_vip(session: Session, *, actor: Principal, owner_ids: Iterable[int], is_vip: bool) -> int:
    actor.require(Perm.OWNERS_EDIT)
    changed = 0
    for owner in _owners_in_scope(session, actor, owner_ids):
        if owner.is_vip != is_vip:
            record_changes(session, owner_id=owner.id, actor=actor, before={"is_vip": owner.is_vip},
                           after={"is_vip": is_vip})
            owner.is_vip, owner.updated_at = is_vip, utcnow()
            session.add(owner)
            changed += 1
    record(session, action="owner.bulk_vip", actor=actor, entity_type="owner",
           details={"owner_ids": sorted(set(owner_ids)), "is_vip": is_vip, "changed": changed})
    return changed


def bulk_tag(session: Session, *, actor: Principal, owner_ids: Iterable[int], tag: str, add: bool = True) -> int:
    actor.require(Perm.OWNERS_EDIT)
    errors = FieldErrors()
    tags = clean_tags([tag], errors)
    if not tags:
        errors.add("tag", "error.required")
    errors.raise_if_any()
    tag = tags[0]
    changed = 0
    for owner in _owners_in_scope(session, actor, owner_ids):
        has = session.get(OwnerTag, (owner.id, tag)) is not None
        if add and not has:
            if len(owner_tags(session, owner.id)) >= MAX_TAGS:
                continue
            session.add(OwnerTag(owner_id=owner.id, tag=tag))
        elif not add and has:
            session.exec(delete(OwnerTag).where(OwnerTag.owner_id == owner.id, OwnerTag.tag == tag))
        else:
            continue
        record_changes(session, owner_id=owner.id, actor=actor, before={"tag": "" if add else tag},
                       after={"tag": tag if add else ""})
        # Touching the owner moves its version, so a profile form opened before this refuses to overwrite the tags.
        owner.updated_at = utcnow()
        session.add(owner)
        changed += 1
    record(session, action="owner.bulk_tag", actor=actor, entity_type="owner",
           details={"owner_ids": sorted(set(owner_ids)), "tag": tag, "add": add, "changed": changed})
    return changed


# ---------------------------------------------------------------- reveal


@dataclasses.dataclass(frozen=True)
class RevealedPII:
    id_number: str
    phones: list[str]
    birth_date: str


def reveal_pii(session: Session, *, actor: Principal, owner_id: int, reason: str) -> RevealedPII:
    """Plain ID number and phones for one view, with a typed reason, always audited."""
    actor.require(Perm.OWNERS_REVEAL_PII)
    owner = require_owner_in_scope(session, actor, owner_id)
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValidationFailed({"reason": ("owners.reveal_reason_required", {"min": MIN_REASON_LENGTH})})
    revealed = RevealedPII(id_number=decrypt(owner.id_number_enc) or "", phones=owner_phones(session, owner.id),
                           birth_date=owner.birth_date.isoformat() if owner.birth_date else "")
    record(session, action="owner.reveal_pii", actor=actor, entity_type="owner", entity_id=owner.id,
           community_id=_any_community(session, owner.id),
           details={"reason": reason.strip()[:200], "fields": ["id_number", "phones", "birth_date"]})
    return revealed


def follow_room(session: Session, event: RoomRenumbered) -> None:
    """Ownerships carry their room's sort key, so the owner grid sorts on one index."""
    session.exec(sa.update(Ownership).where(Ownership.room_id == event.room_id).values(sort_key=event.sort_key))

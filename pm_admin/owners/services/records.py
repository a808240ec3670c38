"""What every owner service shares: scope checks, snapshots and the field history, phones and tags."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from pm_admin.core.crypto import blind_index, decrypt, encrypt
from pm_admin.core.errors import FieldErrors, ValidationFailed
from pm_admin.core.masking import mask_birth_date, mask_id_number, mask_phone
from pm_admin.core.permissions import Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.owners.models import (
    HouseholdMember,
    Owner,
    OwnerChange,
    OwnerPhone,
    Ownership,
    OwnerTag,
)
from pm_admin.owners.validation import Phone, normalize_id_number
from pm_admin.places.models import Room
from pm_admin.places.queries import room_id_by_code

ID_KIND, PHONE_KIND = "id", "phone"  # blind-index kinds


def id_index(id_number: str) -> str | None:
    return blind_index(ID_KIND, normalize_id_number(id_number)) if id_number else None


def phone_index(phone: Phone) -> str:
    return blind_index(PHONE_KIND, phone.e164)


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


def communities_of_owner(session: Session, row: Owner | HouseholdMember) -> set[int]:
    """For ``load_scoped``: an owner, or a household member through their owner."""
    return owner_communities(session, row.id if isinstance(row, Owner) else row.owner_id)


def require_owner_in_scope(session: Session, actor: Principal, owner_id: int) -> Owner:
    return load_scoped(session, Owner, owner_id, actor, communities=communities_of_owner, entity="owner")


def room_in_scope(session: Session, actor: Principal, room_id: int) -> Room:
    room = load_scoped(session, Room, room_id, actor, entity="room")
    return room


def room_for_code(session: Session, *, actor: Principal, code: str) -> int:
    """The room a form names by its code (C01-3-2-1502), inside the actor's communities."""
    room_id = room_id_by_code(session, actor, code)
    if room_id is None:
        raise ValidationFailed({"room_code": ("owners.room_unknown", {})})
    return room_id


def check_room_share(session: Session, room_id: int, share: Decimal, errors: FieldErrors,
                      ignore_owner_id: int | None = None) -> None:
    statement = select(sa.func.coalesce(sa.func.sum(Ownership.share), 0)).where(
        Ownership.room_id == room_id, col(Ownership.ended_on).is_(None))
    if ignore_owner_id is not None:
        statement = statement.where(Ownership.owner_id != ignore_owner_id)
    taken = Decimal(str(session.exec(statement).one()))
    if taken + share > Decimal(100):
        errors.add("share", "owners.share_exceeds", free=str(Decimal(100) - taken))


def write_phones(session: Session, owner_id: int, phones: list[Phone], *, replace: bool = True) -> None:
    """The owner's phones, the first one primary (``replace=False`` for a new owner: nothing to delete)."""
    if replace:
        session.exec(delete(OwnerPhone).where(OwnerPhone.owner_id == owner_id))
    for position, phone in enumerate(phones):
        session.add(OwnerPhone(owner_id=owner_id, phone_enc=encrypt(phone.display), phone_index=phone_index(phone),
                               is_primary=position == 0))


def write_tags(session: Session, owner_id: int, tags: list[str]) -> None:
    session.exec(delete(OwnerTag).where(OwnerTag.owner_id == owner_id))
    for tag in tags:
        session.add(OwnerTag(owner_id=owner_id, tag=tag))

"""Who reported a ticket and how to reach them: the contact the callback and the visit use.

It defaults to the room's current owner (name and first phone); the desk can name someone else at
registration (a family member, the tenant). The phone is stored like owners' phones: Fernet ciphertext
plus a keyed blind index. Anonymous feedback names nobody.
"""

from __future__ import annotations

import dataclasses

from sqlmodel import Session, col, select

from pm_admin.core.crypto import encrypt
from pm_admin.core.errors import FieldErrors
from pm_admin.owners.models import Owner, Ownership
from pm_admin.owners.services.records import owner_phones, phone_index
from pm_admin.owners.validation import parse_phone
from pm_admin.tickets.models import Relation

MAX_NAME = 64
MAX_TIME = 64


@dataclasses.dataclass(frozen=True)
class ContactInput:
    name: str = ""
    phone: str = ""
    relation: str = ""
    preferred_time: str = ""

    @property
    def given(self) -> bool:
        return bool(self.name.strip() or self.phone.strip())


def room_owner(session: Session, room_id: int) -> Owner | None:
    """The room's current owner (the first of co-owners)."""
    return session.exec(select(Owner).join(Ownership, Ownership.owner_id == Owner.id).where(
        Ownership.room_id == room_id, col(Ownership.ended_on).is_(None)).order_by(Ownership.id)).first()


def owner_contact(session: Session, room_id: int | None) -> ContactInput:
    """What the registration form proposes: the room's current owner and their first phone."""
    owner = room_owner(session, room_id) if room_id else None
    if owner is None:
        return ContactInput()
    phones = owner_phones(session, owner.id)
    return ContactInput(name=owner.name, phone=phones[0] if phones else "", relation=Relation.OWNER.value)


def clean_contact(session: Session, room_id: int | None, contact: ContactInput, errors: FieldErrors, *,
                  anonymous: bool) -> dict:
    """The ticket's contact columns, checked beside their fields; the room's owner when none is given."""
    if anonymous:
        if contact.given:
            errors.add("contact_name", "tickets.anonymous_has_no_contact")  # it would name the submitter
        return {}
    if not contact.given:
        contact = dataclasses.replace(owner_contact(session, room_id), preferred_time=contact.preferred_time)
    name = contact.name.strip()
    if len(name) > MAX_NAME:
        errors.add("contact_name", "error.too_long", max=MAX_NAME)
    phone = parse_phone(contact.phone) if contact.phone.strip() else None
    if contact.phone.strip() and phone is None:
        errors.add("contact_phone", "owners.phone_invalid")
    relation = contact.relation or (Relation.OTHER.value if name else "")
    if relation and relation not in set(Relation):
        errors.add("contact_relation", "tickets.relation_invalid")
    if len(contact.preferred_time) > MAX_TIME:
        errors.add("contact_time", "error.too_long", max=MAX_TIME)
    return {"contact_name": name, "contact_relation": relation if (name or phone) else "",
            "contact_phone_enc": encrypt(phone.display) if phone else None,
            "contact_phone_index": phone_index(phone) if phone else None,
            "contact_time": contact.preferred_time.strip()}

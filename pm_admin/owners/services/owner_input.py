"""An owner form's input, validated in one pass (DuplicateOwner when the ID number is registered already)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, select

from pm_admin.core.crypto import decrypt
from pm_admin.core.errors import FieldErrors, ValidationFailed
from pm_admin.core.parsers import clean_text, parse_choice, parse_day
from pm_admin.core.permissions import Principal
from pm_admin.owners.models import (
    Gender,
    Owner,
)
from pm_admin.owners.services.records import id_index, owner_in_scope
from pm_admin.owners.validation import (
    Phone,
    birth_date_problem,
    gender_from_id,
    id_number_problem,
    normalize_id_number,
    parse_phone,
)

MAX_TAGS = 10


MAX_TAG_LENGTH = 16


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
    name = clean_text(errors, "name", data.name, max_length=64, required=True)
    gender = parse_choice(errors, "gender", data.gender or Gender.UNKNOWN, Gender, key="owners.gender_invalid",
                          default=Gender.UNKNOWN)
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
        errors.add("birth_date", "error.date_invalid")
        return False
    if id_number is None and owner_id is not None:
        stored = session.get(Owner, owner_id)
        id_number = decrypt(stored.id_number_enc) if stored is not None else None
    if problem := birth_date_problem(born, id_number):
        errors.add("birth_date", problem)
    return born


def parse_share(raw: Decimal | str | int, errors: FieldErrors) -> Decimal:
    try:
        share = Decimal(str(raw).strip().rstrip("%"))
    except InvalidOperation:
        errors.add("share", "owners.share_invalid")
        return Decimal(0)
    if not share.is_finite() or not Decimal(0) < share <= Decimal(100):
        errors.add("share", "owners.share_invalid")
    return share.quantize(Decimal("0.01")) if share.is_finite() else share

"""Writing a checked import: new owners, updated owners and their rooms, in one transaction."""

from __future__ import annotations

import dataclasses

from sqlmodel import Session, col, select

from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.crypto import encrypt
from pm_admin.core.events import publish_all
from pm_admin.core.masking import mask_phone
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.tables import (
    ImportRejected,
)
from pm_admin.owners.events import OwnerEvent, owner_event
from pm_admin.owners.models import Gender, Owner, OwnerChange, Ownership, OwnerTag
from pm_admin.owners.pinyin import pinyin_keys
from pm_admin.owners.services.records import (
    id_index,
    owner_phones,
    owner_tags,
    record_changes,
    write_phones,
    write_tags,
)
from pm_admin.owners.services.registry import announce_contact
from pm_admin.owners.spreadsheet.columns import CHUNK, Progress
from pm_admin.owners.spreadsheet.plan import ImportPlan, RowPlan, _current_owners
from pm_admin.owners.validation import (
    Phone,
    birth_date_from_id,
    gender_from_id,
    parse_phone,
)


@dataclasses.dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    rooms_linked: int


def commit_import(session: Session, principal: Principal, plan: ImportPlan, *, source: str,
                  progress: Progress | None = None) -> ImportResult:
    """Write a clean plan in the caller's transaction: all rows or, on any failure, none."""
    principal.require(Perm.OWNERS_IMPORT)
    if plan.errors:
        raise ImportRejected("import.has_errors", count=len(plan.errors))
    now = utcnow()
    first_rows: dict[str, RowPlan] = {}
    for row in plan.rows:
        if not row.owner_id:
            first_rows.setdefault(row.group, row)
    owners_by_group = dict(zip(first_rows, _new_owners(session, list(first_rows.values())), strict=True))
    matched: set[int] = set()
    updated: set[int] = set()  # matched owners whose data or share the file changed
    linked = 0
    update_ids = sorted({r.owner_id for r in plan.rows if r.owner_id})
    loaded = {o.id: o for start in range(0, len(update_ids), CHUNK)
              for o in session.exec(select(Owner).where(col(Owner.id).in_(update_ids[start:start + CHUNK]))).all()}
    current = _current_owners(session, {r.room_id for r in plan.rows})
    events: list[OwnerEvent] = []  # published together at the end: the archive tracker takes them in one pass
    for position, row in enumerate(plan.rows, start=1):
        if row.owner_id:
            owner = loaded[row.owner_id]
            if owner.id not in matched:
                matched.add(owner.id)
                if _update_from_row(session, principal, owner, row):
                    updated.add(owner.id)
        else:
            owner = owners_by_group[row.group]
        already = any(owner_id == owner.id for owner_id, _, _ in current.get(row.room_id, []))
        if already:
            ownership = session.exec(select(Ownership).where(Ownership.owner_id == owner.id,
                                                             Ownership.room_id == row.room_id,
                                                             col(Ownership.ended_on).is_(None))).one()
            if ownership.share != row.share:
                events.append(owner_event("owner_changed", owner.id, (row.room_id,), principal.username,
                                          "owners.event.share_changed", name=owner.name,
                                          old=f"{ownership.share:.2f}", new=f"{row.share:.2f}"))
                ownership.share = row.share
                session.add(ownership)
                updated.add(owner.id)
        else:
            session.add(Ownership(owner_id=owner.id, room_id=row.room_id, community_id=row.community_id,
                                  sort_key=row.room_sort_key, share=row.share, started_on=row.started_on))
            session.add(OwnerChange(owner_id=owner.id, occurred_at=now, actor_user_id=principal.user_id,
                                    actor_name=principal.username, kind="ownership", field="room", new_value=row.room_code,
                                    room_id=row.room_id))
            # The room's archive change record gets the new (co-)owner like a registration by hand (seed 4.4.1).
            events.append(owner_event("owner_changed", owner.id, (row.room_id,), principal.username,
                                      "owners.event.owner_added", name=owner.name, share=f"{row.share:.2f}",
                                      since=row.started_on))
            linked += 1
        if progress and position % 250 == 0:
            progress(position, len(plan.rows))
    session.flush()
    publish_all(session, events)
    record(session, action="owner.import", actor=principal, entity_type="owner",
           details={"source": source, "rows": len(plan.rows), "created": len(owners_by_group),
                    "updated": len(updated), "unchanged": len(matched - updated), "rooms_linked": linked})
    if progress:
        progress(len(plan.rows), len(plan.rows))
    return ImportResult(created=len(owners_by_group), updated=len(updated), rooms_linked=linked)


def _new_owners(session: Session, rows: list[RowPlan]) -> list[Owner]:
    """The people the file introduces, one per row given, written in one flush."""
    owners = []
    for row in rows:
        full, initials = pinyin_keys(row.name)
        gender = row.gender or (Gender(gender_from_id(row.id_number)) if row.id_number else Gender.UNKNOWN)
        owners.append(Owner(
            name=row.name, name_pinyin=full, name_initials=initials, gender=gender,
            id_number_enc=encrypt(row.id_number), id_number_index=id_index(row.id_number) if row.id_number else None,
            birth_date=birth_date_from_id(row.id_number) if row.id_number else None, address=row.address,
            is_vip=bool(row.is_vip), notes=row.notes))
    session.add_all(owners)
    session.flush()
    for owner, row in zip(owners, rows, strict=True):
        write_phones(session, owner.id, [row.phone, *([row.phone2] if row.phone2 else [])], replace=False)
        session.add_all(OwnerTag(owner_id=owner.id, tag=tag) for tag in row.tags)
    return owners


def _merged_phones(stored: list[str], row: RowPlan) -> list[Phone]:
    """Position by position: the row's phone first, its other phone second if filled in, else the stored second;
    numbers past the second (the file has no column for them) stay."""
    kept = [parse_phone(p) for p in stored]  # stored numbers were validated when written
    merged = [row.phone, row.phone2 or (kept[1] if len(kept) > 1 else None), *kept[2:]]
    unique: dict[str, Phone] = {}
    for phone in merged:
        if phone is not None:
            unique.setdefault(phone.e164, phone)
    return list(unique.values())


def _history_values(owner: Owner, phones: list[str], tags: list[str]) -> dict:
    return {"name": owner.name, "gender": str(owner.gender), "address": owner.address, "is_vip": owner.is_vip,
            "notes": owner.notes, "phones": ", ".join(mask_phone(p) for p in phones), "tags": ", ".join(tags)}


def _update_from_row(session: Session, principal: Principal, owner: Owner, row: RowPlan) -> bool:
    """Apply the row's filled-in cells (a blank cell keeps the stored value); True when anything changed."""
    stored_phones, stored_tags = owner_phones(session, owner.id), owner_tags(session, owner.id)
    phones = _merged_phones(stored_phones, row)
    phone_texts = [p.display for p in phones]
    tags = row.tags or stored_tags
    profile = {"name": row.name, "gender": row.gender or owner.gender, "address": row.address or owner.address,
               "is_vip": owner.is_vip if row.is_vip is None else row.is_vip, "notes": row.notes or owner.notes}
    changed = {field: value for field, value in profile.items() if getattr(owner, field) != value}
    if not changed and phone_texts == stored_phones and tags == stored_tags:
        return False
    before = _history_values(owner, stored_phones, stored_tags)
    for field, value in changed.items():
        setattr(owner, field, value)
    if "name" in changed:
        owner.name_pinyin, owner.name_initials = pinyin_keys(owner.name)
    owner.updated_at = utcnow()  # also moves the version on, so a form opened before the import sees the change
    session.add(owner)
    if phone_texts != stored_phones:
        write_phones(session, owner.id, phones)
    if tags != stored_tags:
        write_tags(session, owner.id, tags)
    after = _history_values(owner, phone_texts, tags)
    record_changes(session, owner_id=owner.id, actor=principal, before=before, after=after)
    announce_contact(session, owner, before, after, principal.username)
    return True

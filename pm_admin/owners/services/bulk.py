"""Actions on many owners at once: VIP flag, tags."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, delete

from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import FieldErrors
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.models import (
    Owner,
    OwnerTag,
)
from pm_admin.owners.services.owner_input import MAX_TAGS, clean_tags
from pm_admin.owners.services.records import owner_tags, record_changes, require_owner_in_scope


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

"""Showing an owner's personal data in full: with a reason, permission and an audit record."""

from __future__ import annotations

import dataclasses

from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.crypto import decrypt
from pm_admin.core.errors import ValidationFailed
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.services.records import owner_phones, require_owner_in_scope
from pm_admin.owners.services.registry import any_community

MIN_REASON_LENGTH = 4




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
           community_id=any_community(session, owner.id),
           details={"reason": reason.strip()[:200], "fields": ["id_number", "phones", "birth_date"]})
    return revealed

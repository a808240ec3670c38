"""What the group services share: loading rows in scope, the moderation log (append-only), telling a member or an
applicant through the outbox, the audit entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.errors import DomainError
from pm_admin.core.permissions import Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.groups.models import GroupApplication, GroupMember, ModerationEntry, Violation, VipGroup
from pm_admin.notify.models import Channel, Recipient
from pm_admin.notify.outbox import Address, enqueue


def load_group(session: Session, actor: Principal, group_id: Any, permission: str) -> VipGroup:
    actor.require(permission)
    return load_scoped(session, VipGroup, group_id, actor, entity="vip_group")


def _group_community(session: Session, row: Any) -> tuple[int]:
    return (session.get(VipGroup, row.group_id).community_id,)


def load_member(session: Session, actor: Principal, member_id: Any, permission: str) -> GroupMember:
    actor.require(permission)
    return load_scoped(session, GroupMember, member_id, actor, communities=_group_community, entity="vip_member")


def load_application(session: Session, actor: Principal, application_id: Any, permission: str) -> GroupApplication:
    actor.require(permission)
    return load_scoped(session, GroupApplication, application_id, actor, entity="vip_application")


def load_violation(session: Session, actor: Principal, violation_id: Any, permission: str) -> Violation:
    actor.require(permission)
    return load_scoped(session, Violation, violation_id, actor, entity="vip_violation")


def log(session: Session, *, group_id: int, actor: str, action: str, member_id: int | None = None, reason: str = "",
        before: str = "", after: str = "") -> None:
    session.add(ModerationEntry(group_id=group_id, member_id=member_id, actor=actor, action=action,
                                reason=reason[:500], before=before, after=after))


@event.listens_for(ModerationEntry, "before_update")
@event.listens_for(ModerationEntry, "before_delete")
def _append_only(_mapper, _connection, _target) -> None:
    raise DomainError("groups.log_is_append_only")


def tell(session: Session, *, key: str, account_id: int | None, language: str, template: str, params: dict,
         community_id: int, cause: str) -> None:
    """A message to the owner's portal inbox (nothing when the member has no portal account: staff tell them)."""
    if account_id is not None:
        enqueue(session, key=key, to=Address(Recipient.OWNER_ACCOUNT, account_id, Channel.INBOX, None, language),
                template=template, params=params, community_id=community_id, cause=cause)


def audit(session: Session, actor: Principal, action: str, group: VipGroup, entity_type: str, entity_id: int,
          **details: Any) -> None:
    record(session, action=action, actor=actor, entity_type=entity_type, entity_id=entity_id,
           community_id=group.community_id, details={"group": group.id, **details})

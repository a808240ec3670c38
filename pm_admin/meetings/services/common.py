"""What the meeting services share: loading a meeting in scope, its state checks, the audit entry."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.audit import record
from pm_admin.core.clock import local_today
from pm_admin.core.errors import DomainError
from pm_admin.core.permissions import Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.meetings.models import Meeting, MeetingStatus
from pm_admin.owners.models import Owner, Ownership
from pm_admin.places.models import Room


def load_meeting(session: Session, actor: Principal, meeting_id: Any, permission: str) -> Meeting:
    actor.require(permission)
    return load_scoped(session, Meeting, meeting_id, actor, entity="meeting")


def require_status(meeting: Meeting, *statuses: MeetingStatus) -> None:
    if meeting.status not in statuses:
        raise DomainError("meetings.wrong_status", status=str(meeting.status))


def audit(session: Session, actor: Principal, action: str, meeting: Meeting, **details: Any) -> None:
    record(session, action=action, actor=actor, entity_type="meeting", entity_id=meeting.id,
           community_id=meeting.community_id, details=details)


def room_and_owner(session: Session, community_id: int, code: str) -> tuple[Room, Owner] | None:
    """The room of the community with this code and its current (first) owner."""
    room = session.exec(select(Room).where(Room.code == str(code or "").strip().upper(),
                                           Room.community_id == community_id)).first()
    if room is None:
        return None
    today = local_today()
    owner = session.exec(select(Owner).join(Ownership, Ownership.owner_id == Owner.id).where(
        Ownership.room_id == room.id, Ownership.started_on <= today,
        sa.or_(col(Ownership.ended_on).is_(None), Ownership.ended_on > today)).order_by(Ownership.id)).first()
    return (room, owner) if owner is not None else None

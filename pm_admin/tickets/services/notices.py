"""The on-screen notices of a staff member: read one (and open its ticket), or all."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.core.clock import utcnow
from pm_admin.core.errors import NotFound
from pm_admin.core.permissions import Principal
from pm_admin.tickets.models import Notification


def read_notification(session: Session, *, actor: Principal, notification_id: int) -> int | None:
    """Mark one of the actor's notices read; the ticket it points to, if any."""
    notice = session.get(Notification, notification_id)
    if notice is None or notice.user_id != actor.user_id:
        raise NotFound("notification")
    notice.read_at = notice.read_at or utcnow()
    session.add(notice)
    return notice.ticket_id


def read_notifications(session: Session, *, actor: Principal) -> int:
    return session.exec(sa.update(Notification).where(Notification.user_id == actor.user_id,
                                                      col(Notification.read_at).is_(None))
                        .values(read_at=utcnow())).rowcount or 0

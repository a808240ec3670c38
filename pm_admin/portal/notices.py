"""The owner's inbox: messages the outbox delivered to the portal (ticket progress now, announcements later), newest
first, with read receipts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import local_text, utcnow
from pm_admin.core.permissions import OwnerPrincipal, PortalPerm
from pm_admin.notify import services as notify_services
from pm_admin.notify.models import Channel, Delivery, OutboxMessage, Recipient
from pm_admin.notify.outbox import rendered


def _mine(owner: OwnerPrincipal):
    return sa.and_(OutboxMessage.recipient_kind == Recipient.OWNER_ACCOUNT,
                   OutboxMessage.recipient_id == owner.account_id, OutboxMessage.channel == Channel.INBOX,
                   col(OutboxMessage.status).in_([Delivery.DELIVERED, Delivery.READ]))


def inbox(session: Session, owner: OwnerPrincipal, *, limit: int = 50, before_id: int | None = None) -> list[dict]:
    owner.require(PortalPerm.NOTICES)
    query = select(OutboxMessage).where(_mine(owner))
    if before_id:
        query = query.where(OutboxMessage.id < before_id)
    rows = session.exec(query.order_by(col(OutboxMessage.id).desc()).limit(limit)).all()
    notices = []
    for message in rows:
        title, body = rendered(message)
        notices.append({"id": message.id, "title": title, "body": body, "at": local_text(message.created_at),
                        "read": message.read_at is not None, "link": str(message.params.get("path", ""))})
    return notices


def mark_read(session: Session, owner: OwnerPrincipal, message_id: object) -> None:
    """The read receipt of one of the owner's own notices (another's id reads as missing)."""
    owner.require(PortalPerm.NOTICES)
    notify_services.mark_read(session, Recipient.OWNER_ACCOUNT, owner.account_id, message_id)


def mark_all_read(session: Session, owner: OwnerPrincipal) -> int:
    owner.require(PortalPerm.NOTICES)
    return session.execute(sa.update(OutboxMessage).where(_mine(owner), col(OutboxMessage.read_at).is_(None))
                           .values(read_at=utcnow(), status=Delivery.READ)).rowcount or 0

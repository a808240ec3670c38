"""A notice as an owner sees it: only notices that reached one of their rooms' households; reading and
acknowledging 已知悉 record on those households."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.comms.models import Notice, NoticeHousehold, NoticeStatus, NoticeUpdate
from pm_admin.core.clock import local_text, utcnow
from pm_admin.core.errors import DomainError, NotFound
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import OwnerPrincipal, PortalPerm

SHOWN = (NoticeStatus.SENT, NoticeStatus.EXPIRED, NoticeStatus.WITHDRAWN)


def _households(session: Session, owner: OwnerPrincipal, notice_id: int) -> list[NoticeHousehold]:
    if not owner.rooms:
        return []
    return list(session.exec(select(NoticeHousehold).where(
        NoticeHousehold.notice_id == notice_id, col(NoticeHousehold.room_id).in_(owner.room_ids))).all())


def notice(session: Session, owner: OwnerPrincipal, notice_id: object) -> dict | None:
    """The notice, its progress updates and whether the owner's households acknowledged; None when it never reached
    them (another community's, a draft, a crafted id)."""
    owner.require(PortalPerm.NOTICES)
    if not is_id(notice_id):
        return None
    found = session.get(Notice, int(notice_id))
    households = _households(session, owner, int(notice_id)) if found is not None else []
    if found is None or found.status not in SHOWN or not households:
        return None
    updates = session.exec(select(NoticeUpdate).where(NoticeUpdate.notice_id == found.id)
                           .order_by(NoticeUpdate.at)).all()
    return {"id": found.id, "kind": str(found.kind), "title": found.title, "body": found.body,
            "sent_at": local_text(found.sent_at), "valid_until": local_text(found.valid_until),
            "status": str(found.status), "withdrawn_reason": found.withdrawn_reason,
            "requires_ack": found.requires_ack,
            "acknowledged": all(h.acknowledged_at is not None for h in households),
            "corrects_id": found.corrects_id or 0,
            "updates": [{"stage": u.stage, "body": u.body, "at": local_text(u.at)} for u in updates]}


def mark_read(session: Session, owner: OwnerPrincipal, notice_id: int) -> None:
    session.execute(sa.update(NoticeHousehold).where(
        NoticeHousehold.notice_id == notice_id, col(NoticeHousehold.room_id).in_(owner.room_ids),
        col(NoticeHousehold.read_at).is_(None)).values(read_at=utcnow()))


def acknowledge(session: Session, owner: OwnerPrincipal, notice_id: object) -> int:
    """已知悉 for every household of the owner that the notice reached; the households acknowledged."""
    owner.require(PortalPerm.NOTICES)
    if notice(session, owner, notice_id) is None:
        raise NotFound("notice")
    found = session.get(Notice, int(notice_id))
    if not found.requires_ack or found.status != NoticeStatus.SENT:
        raise DomainError("comms.no_acknowledgement")
    now = utcnow()
    return session.execute(sa.update(NoticeHousehold).where(
        NoticeHousehold.notice_id == found.id, col(NoticeHousehold.room_id).in_(owner.room_ids),
        col(NoticeHousehold.acknowledged_at).is_(None)).values(acknowledged_at=now,
                                                               read_at=sa.func.coalesce(NoticeHousehold.read_at, now))
    ).rowcount or 0

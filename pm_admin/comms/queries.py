"""What staff read: the notices of their communities, a notice's reach and acknowledgement by building, the
call list of households that have not acknowledged in time."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.comms import audience, notices
from pm_admin.comms.models import Notice, NoticeHousehold, NoticeStatus, NoticeTemplate, NoticeUpdate
from pm_admin.comms.notices import ESCALATION_CALL
from pm_admin.core.clock import local_text
from pm_admin.core.crypto import decrypt
from pm_admin.core.masking import mask_phone
from pm_admin.core.paging import Page, PageRequest, count, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.owners.models import Owner, OwnerPhone, Ownership
from pm_admin.places.models import Building, Room, natural_key

NOT_SENT = (NoticeStatus.DRAFT, NoticeStatus.PENDING, NoticeStatus.SCHEDULED)


def notice_list(session: Session, principal: Principal, request: PageRequest, status: str = "") -> Page:
    principal.require(Perm.NOTICES_VIEW)
    statement = select(Notice).where(principal.scope_clause(Notice.community_id))
    if status:
        statement = statement.where(Notice.status == status)
    total = count(session, statement)
    rows = session.exec(paginate(statement.order_by(col(Notice.pinned).desc(), col(Notice.id).desc()),
                                 request.clamp())).all()
    return Page([{"id": n.id, "kind": str(n.kind), "title": n.title, "status": str(n.status),
                  "created_by": n.created_by, "created_at": local_text(n.created_at), "sent_at": local_text(n.sent_at),
                  "requires_ack": n.requires_ack, "review_needed": n.review_needed, "version": n.version}
                 for n in rows], total, request.page, request.page_size)


def acknowledgement(session: Session, notice_id: int) -> list[dict]:
    """Per building: households reached, read, acknowledged and the share acknowledged (one grouped query)."""
    rows = session.exec(select(Building.name, sa.func.count(), sa.func.count(NoticeHousehold.read_at),
                               sa.func.count(NoticeHousehold.acknowledged_at))
                        .join(Building, Building.id == NoticeHousehold.building_id)
                        .where(NoticeHousehold.notice_id == notice_id)
                        .group_by(Building.id, Building.name)).all()
    return [{"building": name, "households": total, "read": read, "acknowledged": acked,
             "percent": round(100 * acked / total) if total else 0}
            for name, total, read, acked in sorted(rows, key=lambda row: natural_key(row[0]))]


def acknowledgement_of(session: Session, principal: Principal, notice_id: int) -> list[dict]:
    """``acknowledgement`` of a notice of the principal's communities (the page's refresh)."""
    principal.require(Perm.NOTICES_VIEW)
    return acknowledgement(session, load_scoped(session, Notice, notice_id, principal).id)


def notice_detail(session: Session, principal: Principal, notice_id: int) -> dict:
    principal.require(Perm.NOTICES_VIEW)
    notice = load_scoped(session, Notice, notice_id, principal)
    updates = session.exec(select(NoticeUpdate).where(NoticeUpdate.notice_id == notice.id)
                           .order_by(NoticeUpdate.at)).all()
    return {**notice.model_dump(mode="json", exclude={"created_at", "approved_at", "sent_at", "send_at",
                                                      "valid_until"}),
            "kind": str(notice.kind), "status": str(notice.status), "group": str(notice.group),
            "created_at": local_text(notice.created_at), "sent_at": local_text(notice.sent_at),
            "send_at": local_text(notice.send_at), "valid_until": local_text(notice.valid_until),
            "buildings": acknowledgement(session, notice.id),
            "preview": dataclasses.asdict(audience.preview(session, notices.places_of(notice), notice.channels))
            if notice.status in NOT_SENT else {},
            "updates": [{"stage": u.stage, "body": u.body, "at": local_text(u.at), "by": u.by} for u in updates]}


def call_list(session: Session, principal: Principal, notice_id: int) -> list[dict]:
    """Households on the steward's call list: not acknowledged after the SMS step, with the owner to call (masked
    phone; the full number is dialled from the household work as usual)."""
    principal.require(Perm.NOTICES_VIEW)
    notice = load_scoped(session, Notice, notice_id, principal)
    rows = session.exec(select(NoticeHousehold, Room.code).join(Room, Room.id == NoticeHousehold.room_id).where(
        NoticeHousehold.notice_id == notice.id, NoticeHousehold.escalation >= ESCALATION_CALL,
        col(NoticeHousehold.acknowledged_at).is_(None)).order_by(Room.code)).all()
    rooms = [h.room_id for h, _ in rows]
    owners = {room_id: (owner_id, name) for room_id, owner_id, name in session.exec(
        select(Ownership.room_id, Owner.id, Owner.name).join(Owner, Owner.id == Ownership.owner_id).where(
            col(Ownership.room_id).in_(rooms), col(Ownership.ended_on).is_(None)).order_by(Ownership.id)).all()
    } if rows else {}
    phones: dict[int, str] = {}
    for owner_id, phone_enc in session.exec(select(OwnerPhone.owner_id, OwnerPhone.phone_enc).where(
            col(OwnerPhone.owner_id).in_([o for o, _ in owners.values()]))
            .order_by(col(OwnerPhone.is_primary).desc(), OwnerPhone.id)).all() if owners else []:
        phones.setdefault(owner_id, decrypt(phone_enc))
    listed = []
    for household, code in rows:
        owner_id, name = owners.get(household.room_id, (0, ""))
        listed.append({"room_id": household.room_id, "room": code, "owner": name,
                       "phone": mask_phone(phones[owner_id]) if owner_id in phones else "",
                       "called_at": local_text(household.called_at)})
    return listed


def templates(session: Session) -> list[dict]:
    return [t.model_dump(mode="json") for t in session.exec(select(NoticeTemplate).order_by(NoticeTemplate.code))]

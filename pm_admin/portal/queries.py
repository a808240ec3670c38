"""What an owner reads: their rooms, their tickets (public parts only), the report form's choices, the home page
(with the count of surveys waiting for them)."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import DISPLAY_ZONE, local_text, utcnow
from pm_admin.core.i18n import translate
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import OwnerPrincipal, PortalPerm
from pm_admin.notify.models import Channel, Delivery, OutboxMessage, Recipient
from pm_admin.places.models import Community, Room
from pm_admin.portal import surveys
from pm_admin.tickets.models import OPEN_STATUSES, Kind, Status, Ticket, TicketEvent, TicketEventKind
from pm_admin.tickets.queries import category_options

OPEN_BEFORE_RESULT = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD)
# What the owner's timeline shows: never internal notes, plans or hold reasons.
OWNER_EVENT_KINDS = (TicketEventKind.CREATED, TicketEventKind.STATUS, TicketEventKind.REPLY,
                     TicketEventKind.APPOINTMENT, TicketEventKind.CALLBACK_SATISFIED,
                     TicketEventKind.CALLBACK_UNSATISFIED)


def _own_clause(owner: OwnerPrincipal):
    """Tickets of the owner's rooms from the day their access began (a new owner does not read the last one's);
    never anonymous feedback, which belongs to nobody."""
    if not owner.rooms:
        return sa.false()
    return sa.and_(Ticket.kind != Kind.ANONYMOUS, sa.or_(*[
        sa.and_(Ticket.room_id == room.room_id, Ticket.created_at >= _start_of(room.since)) for room in owner.rooms]))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, DISPLAY_ZONE)


def own_ticket(session: Session, owner: OwnerPrincipal, ticket_id: object) -> Ticket | None:
    if not is_id(ticket_id):
        return None
    return session.exec(select(Ticket).where(Ticket.id == int(ticket_id), _own_clause(owner))).first()


def room_labels(session: Session, owner: OwnerPrincipal) -> list[dict[str, str]]:
    if not owner.rooms:
        return []
    rows = session.exec(select(Room.id, Room.code, Community.name).join(Community, Community.id == Room.community_id)
                        .where(col(Room.id).in_(owner.room_ids))).all()
    names = {room_id: f"{community} {code}" for room_id, code, community in rows}
    return [{"value": str(room.room_id), "label": names.get(room.room_id, "")} for room in owner.rooms]


def community_choices(session: Session, owner: OwnerPrincipal) -> list[dict[str, str]]:
    rows = session.exec(select(Community.id, Community.name).where(col(Community.id).in_(owner.community_ids))
                        .order_by(Community.id)).all() if owner.rooms else []
    return [{"value": str(cid), "label": name} for cid, name in rows]


def report_categories(session: Session, language: str) -> list[dict[str, str]]:
    return category_options(session, language)


def promise_text(ticket: Ticket, language: str) -> str:
    """The SLA promise in plain words: 承诺 4 小时内处理 / 承诺 3 天内处理."""
    minutes = int((ticket.resolve_due - ticket.created_at).total_seconds() // 60) if ticket.resolve_due else 0
    if minutes <= 0:
        return ""
    if minutes >= 48 * 60 and minutes % (24 * 60) == 0:
        return translate("portal.promise_days", language, days=minutes // (24 * 60))
    return translate("portal.promise_hours", language, hours=max(1, round(minutes / 60)))


def my_tickets(session: Session, owner: OwnerPrincipal, language: str, *, open_only: bool = False,
               limit: int = 50, before_id: int | None = None) -> list[dict]:
    """Newest first; ``before_id`` continues a list (cursor)."""
    owner.require(PortalPerm.TICKETS)
    query = select(Ticket.id, Ticket.code, Ticket.title, Ticket.kind, Ticket.status, Ticket.created_at,
                   Ticket.room_id).where(_own_clause(owner))
    if open_only:
        query = query.where(col(Ticket.status).in_([s.value for s in OPEN_STATUSES]))
    if before_id:
        query = query.where(Ticket.id < before_id)
    rows = session.exec(query.order_by(col(Ticket.id).desc()).limit(limit)).all()
    rooms = {r["value"]: r["label"] for r in room_labels(session, owner)}
    return [{"id": tid, "code": code, "title": title, "kind": str(kind), "status": str(status),
             "kind_text": translate(f"tickets.kind.{kind}", language),
             "status_text": translate(f"portal.status.{status}", language),
             "created_at": local_text(created), "room": rooms.get(str(room_id), "")}
            for tid, code, title, kind, status, created, room_id in rows]


def ticket_view(session: Session, owner: OwnerPrincipal, ticket_id: object, language: str) -> dict | None:
    """One ticket as its owner sees it: status, promise, the public replies and the timeline without internals."""
    owner.require(PortalPerm.TICKETS)
    ticket = own_ticket(session, owner, ticket_id)
    if ticket is None:
        return None
    events = session.exec(select(TicketEvent).where(
        TicketEvent.ticket_id == ticket.id, col(TicketEvent.kind).in_([k.value for k in OWNER_EVENT_KINDS]),
        sa.or_(TicketEvent.kind != TicketEventKind.REPLY, TicketEvent.public == sa.true()))
        .order_by(TicketEvent.at, TicketEvent.id)).all()
    timeline = []
    for event in events:
        if event.kind == TicketEventKind.REPLY:
            text = event.body
        elif event.kind == TicketEventKind.CREATED:
            text = translate("portal.event.created", language)
        elif event.kind == TicketEventKind.APPOINTMENT:  # the time agreed for the visit
            text = translate("portal.event.appointment", language, when=event.body)
        elif event.kind == TicketEventKind.STATUS:
            text = translate(f"portal.status.{event.to_status}", language)
            if event.public and event.body:  # the result of a round, as the owner was told it
                text = f"{text}：{event.body}"
        else:
            text = translate(f"portal.event.{event.kind}", language)
        timeline.append({"at": local_text(event.at), "kind": event.kind, "text": text})
    rooms = {r["value"]: r["label"] for r in room_labels(session, owner)}
    return {"id": ticket.id, "code": ticket.code, "title": ticket.title, "description": ticket.description,
            "kind": str(ticket.kind), "kind_text": translate(f"tickets.kind.{ticket.kind}", language),
            "status": str(ticket.status), "status_text": translate(f"portal.status.{ticket.status}", language),
            "room": rooms.get(str(ticket.room_id), ""), "created_at": local_text(ticket.created_at),
            # The promise while it is being handled; the result once handled (a reopened ticket's old result is
            # only in the timeline).
            "promise": promise_text(ticket, language) if ticket.status in OPEN_BEFORE_RESULT else "",
            "resolution": ticket.resolution if ticket.status in (Status.RESOLVED, Status.CLOSED) else "",
            "resolved_at": local_text(ticket.resolved_at), "can_rate": str(ticket.status) == "resolved",
            "rate_scores": ticket.kind == Kind.REPAIR, "version": ticket.version, "timeline": timeline}


def unread_notices(session: Session, owner: OwnerPrincipal) -> int:
    return session.scalar(select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient_kind == Recipient.OWNER_ACCOUNT, OutboxMessage.recipient_id == owner.account_id,
        OutboxMessage.channel == Channel.INBOX, col(OutboxMessage.read_at).is_(None),
        OutboxMessage.status == Delivery.DELIVERED)) or 0


def home(session: Session, owner: OwnerPrincipal, language: str) -> dict:
    owner.require(PortalPerm.HOME)
    return {"rooms": room_labels(session, owner),
            "open_tickets": my_tickets(session, owner, language, open_only=True, limit=5),
            "unread_notices": unread_notices(session, owner), "pending_surveys": surveys.pending_count(session, owner),
            "today": local_text(utcnow())[:10]}

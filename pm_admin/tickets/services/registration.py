"""Registering a ticket: its code, routing (round robin inside the category's department), SLA deadlines,
repeat detection, and the emergency notice of an urgent one."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from pm_admin.auth.models import User
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.errors import FieldErrors
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import Perm, Principal
from pm_admin.places.models import Room
from pm_admin.tickets.models import (
    Channel,
    DepartmentMember,
    Kind,
    Status,
    Ticket,
    TicketCategory,
    TicketEventKind,
    TicketSequence,
    Tier,
)
from pm_admin.tickets.services import rounds, sla
from pm_admin.tickets.services.common import audit_ticket, managers_of, notify, timeline_event
from pm_admin.tickets.services.contact import ContactInput, clean_contact, room_owner

REPEAT_WINDOW = timedelta(days=30)


def _next_code(session: Session, day: date) -> str:
    """The next number of the (Shanghai) day. Insert-if-missing then an atomic increment, so two desks
    registering at the same moment never get the same code."""
    key = day.strftime("%Y%m%d")
    dialect_insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgres_insert
    session.execute(dialect_insert(TicketSequence).values(day=key, last=0).on_conflict_do_nothing())
    number = session.execute(sa.update(TicketSequence).where(TicketSequence.day == key)
                             .values(last=TicketSequence.last + 1).returning(TicketSequence.last)).scalar_one()
    return f"TS-{key}-{number:04d}"


def _round_robin(session: Session, category: TicketCategory) -> int | None:
    """The department's next active member after the last one given a ticket of this category."""
    members = list(session.exec(select(DepartmentMember.user_id).join(User, User.id == DepartmentMember.user_id)
                                .where(DepartmentMember.department_id == category.department_id,
                                       DepartmentMember.is_active == sa.true(), User.is_active == sa.true())
                                .order_by(DepartmentMember.user_id)).all())
    if not members:
        return None
    after = [m for m in members if category.last_assignee_id is None or m > category.last_assignee_id]
    chosen = (after or members)[0]
    category.last_assignee_id = chosen
    session.add(category)
    return chosen


@dataclasses.dataclass
class TicketInput:
    kind: str
    category_id: int | str
    tier: str
    channel: str
    title: str
    description: str = ""
    room_id: int | None = None
    community_id: int | None = None  # for public areas, when there is no room
    contact: ContactInput = dataclasses.field(default_factory=ContactInput)  # blank: the room's owner


def earlier_of_the_same(session: Session, room_id: int, category_id: int, kind: str, now: datetime) -> int | None:
    """"One time enough" (seed 003): a ticket of the same kind, room and sub-category registered in the 30 days
    before this one makes it a repeat (二次投诉 for complaints, 返修 for repairs). Only earlier tickets count:
    a back-dated registration is never linked to one registered after it."""
    return session.exec(select(Ticket.id).where(
        Ticket.room_id == room_id, Ticket.category_id == category_id, Ticket.kind == kind,
        Ticket.created_at >= now - REPEAT_WINDOW, Ticket.created_at < now)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())).first()


def create_ticket(session: Session, *, actor: Principal, data: TicketInput, now: datetime | None = None) -> Ticket:
    actor.require(Perm.TICKETS_CREATE)
    now = now or utcnow()
    errors = FieldErrors()
    values = {}
    for field, enum_cls in (("kind", Kind), ("tier", Tier), ("channel", Channel)):
        try:
            values[field] = enum_cls(getattr(data, field))
        except ValueError:
            errors.add(field, f"tickets.{field}_invalid")
    category = session.get(TicketCategory, int(data.category_id)) if is_id(data.category_id) else None
    if category is None or not category.is_active:
        errors.add("category_id", "tickets.category_invalid")
    title = clean_text(errors, "title", data.title, max_length=100, required=True)
    description = clean_text(errors, "description", data.description, max_length=4000)
    anonymous = values.get("kind") == Kind.ANONYMOUS
    room = session.get(Room, data.room_id) if data.room_id else None
    if data.room_id and room is None:
        errors.add("room_id", "owners.room_unknown")
    if anonymous and room is not None:
        errors.add("room_id", "tickets.anonymous_has_no_room")  # a room would name the submitter
    community_id = room.community_id if room else data.community_id
    if community_id is None:
        errors.add("room_id", "tickets.room_or_community")
    contact = clean_contact(session, room.id if room else None, data.contact, errors, anonymous=anonymous)
    errors.raise_if_any()
    actor.require_community(community_id)
    owner = room_owner(session, room.id) if room is not None and not anonymous else None
    ticket = Ticket(code=_next_code(session, now.astimezone(DISPLAY_ZONE).date()), community_id=community_id,
                    room_id=room.id if room else None, owner_id=owner.id if owner else None, category_id=category.id,
                    title=title, description=description, created_at=now, updated_at=now,
                    created_by=actor.username, respond_due=now, resolve_due=now,
                    department_id=category.department_id, **values, **contact)
    sla.set_deadlines(ticket, sla.targets_for(session, ticket.tier, category.id))
    if room is not None:
        ticket.repeat_of_id = earlier_of_the_same(session, room.id, category.id, ticket.kind, now)
    if category.round_robin and category.department_id:
        ticket.assignee_id = _round_robin(session, category)
        if ticket.assignee_id:
            ticket.status, ticket.responded_at = Status.ASSIGNED, now
    session.add(ticket)
    session.flush()
    rounds.open_round(session, ticket, now)
    timeline_event(session, ticket, actor, TicketEventKind.CREATED, ticket.title, to_status=str(ticket.status), at=now)
    if ticket.repeat_of_id:
        timeline_event(session, ticket, actor, TicketEventKind.REPEAT, session.get(Ticket, ticket.repeat_of_id).code, at=now)
    if ticket.tier == Tier.URGENT:  # the emergency procedure starts at once
        notify(session, managers_of(session, community_id), ticket, "tickets.urgent_notice", ticket.title)
    audit_ticket(session, ticket, actor, "create", kind=str(ticket.kind), tier=str(ticket.tier),
           category=category.code, repeat_of=ticket.repeat_of_id, assignee=ticket.assignee_id)
    return ticket

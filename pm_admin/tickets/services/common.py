"""What every ticket service does: load a ticket in scope, write its timeline and audit, notify people."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.auth.models import User, UserCommunity, UserRole
from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.events import publish
from pm_admin.core.permissions import Principal, Role
from pm_admin.core.scoping import load_scoped
from pm_admin.tickets.events import TicketProgress
from pm_admin.tickets.models import DepartmentMember, Notification, Ticket, TicketEvent, TicketEventKind


def load_ticket(session: Session, actor: Principal, ticket_id: int) -> Ticket:
    return load_scoped(session, Ticket, ticket_id, actor)


def timeline_event(session: Session, ticket: Ticket, actor: Principal, kind: TicketEventKind, body: str = "", *,
                   from_status: str = "", to_status: str = "", public: bool = False,
                   at: datetime | None = None) -> None:
    """A timeline line; published, so the owner hears of the progress through the outbox in this transaction."""
    line = TicketEvent(ticket_id=ticket.id, at=at or utcnow(), actor_name=actor.username, kind=kind,
                       from_status=from_status, to_status=to_status, body=body[:2000], public=public)
    session.add(line)
    session.flush()
    publish(session, TicketProgress(ticket.id, line.id, str(kind), from_status, to_status, public))


def audit_ticket(session: Session, ticket: Ticket, actor: Principal, action: str, **details) -> None:
    record(session, action=f"ticket.{action}", actor=actor, entity_type="ticket", entity_id=ticket.id,
           community_id=ticket.community_id, details={"code": ticket.code, **details})


def managers_of(session: Session, community_id: int) -> list[int]:
    return list(session.exec(
        select(User.id).join(UserRole, UserRole.user_id == User.id).join(UserCommunity, UserCommunity.user_id == User.id)
        .where(UserRole.role_code == Role.MANAGER, UserCommunity.community_id == community_id,
               User.is_active == sa.true())).all())


def notify(session: Session, user_ids: list[int], ticket: Ticket, key: str, detail: str = "") -> None:
    for user_id in user_ids:
        session.add(Notification(user_id=user_id, ticket_id=ticket.id, message_key=key, detail=detail[:200]))


def is_member(session: Session, department_id: int | None, user_id: int) -> bool:
    return department_id is not None and session.exec(select(DepartmentMember).where(
        DepartmentMember.department_id == department_id, DepartmentMember.user_id == user_id,
        DepartmentMember.is_active == sa.true())).first() is not None

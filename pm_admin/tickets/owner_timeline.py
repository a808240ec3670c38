"""Tickets on the owner's timeline: each ticket of the owner with its current status."""

from __future__ import annotations

from sqlmodel import Session, select

from pm_admin.core.clock import local_text
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.timeline import TimelineItem, timeline_source
from pm_admin.tickets.models import Ticket


@timeline_source
def owner_tickets(session: Session, principal: Principal, owner_id: int) -> list[TimelineItem]:
    if not principal.has(Perm.TICKETS_VIEW):
        return []
    tickets = session.exec(select(Ticket).where(Ticket.owner_id == owner_id, principal.scope_clause(Ticket.community_id))
                           .order_by(Ticket.created_at.desc()).limit(50)).all()
    return [TimelineItem(at=t.created_at.isoformat(), at_text=local_text(t.created_at), kind="ticket",
                         title_key=f"tickets.kind.{t.kind}", detail=f"{t.code} · {t.title}", link=f"/tickets/{t.id}")
            for t in tickets]

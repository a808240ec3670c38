"""Tickets and their callbacks (回访) on the owner's timeline."""

from __future__ import annotations

from sqlmodel import Session, select

from pm_admin.core.clock import local_text
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.timeline import TimelineItem
from pm_admin.tickets.models import Callback, Ticket


def _owner_tickets(session: Session, principal: Principal, owner_id: int) -> list[Ticket]:
    return list(session.exec(select(Ticket).where(Ticket.owner_id == owner_id,
                                                  principal.scope_clause(Ticket.community_id))
                             .order_by(Ticket.created_at.desc()).limit(50)).all())


def owner_tickets(session: Session, principal: Principal, owner_id: int, language: str) -> list[TimelineItem]:
    if not principal.has(Perm.TICKETS_VIEW):
        return []
    return [TimelineItem(at=t.created_at.isoformat(), at_text=local_text(t.created_at), kind="ticket",
                         title_key=f"tickets.kind.{t.kind}", detail=f"{t.code} · {t.title}", link=f"/tickets/{t.id}")
            for t in _owner_tickets(session, principal, owner_id)]


def _outcome(callback: Callback) -> str:
    if not callback.reached:
        return "unreachable"
    return "satisfied" if callback.satisfied else "unsatisfied"


def owner_callbacks(session: Session, principal: Principal, owner_id: int, language: str) -> list[TimelineItem]:
    if not principal.has(Perm.TICKETS_VIEW):
        return []
    tickets = {t.id: t for t in _owner_tickets(session, principal, owner_id)}
    if not tickets:
        return []
    callbacks = session.exec(select(Callback).where(Callback.ticket_id.in_(tickets))
                             .order_by(Callback.done_at.desc())).all()
    return [TimelineItem(at=c.done_at.isoformat(), at_text=local_text(c.done_at), kind="callback",
                         title_key="tickets.callback",
                         detail=translate(f"tickets.callback_done.{_outcome(c)}", language,
                                          code=tickets[c.ticket_id].code)
                         + (f" · {c.comment}" if c.comment else "") + f" · {c.done_by}",
                         link=f"/tickets/{c.ticket_id}")
            for c in callbacks]


SOURCES = (owner_tickets, owner_callbacks)

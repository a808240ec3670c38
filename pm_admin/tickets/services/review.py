"""日清日审 the daily review (seed 003 6.0): what is late or nearly late, what is on hold, by department.

The rows: open tickets past a deadline (``sla.overdue_clause``, the one definition of overdue), due within
the next two hours, or on hold (with their hold-until day). Each overdue row names the deadline it missed
(响应 / 到场 / 办结 / 挂起到期). The header counts exactly those rows; "new" and "closed" count the day's
registrations and closures. The daily job tells the assignee and the community's managers once when a
hold runs past its day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.queries import display_names
from pm_admin.core.clock import DISPLAY_ZONE, local_text, utcnow
from pm_admin.core.permissions import Perm, Principal
from pm_admin.tickets.models import OPEN_STATUSES, Status, Ticket, TicketEvent
from pm_admin.tickets.queries import cards_of, names_of_categories_and_departments
from pm_admin.tickets.services import sla
from pm_admin.tickets.services.common import managers_of, notify

HORIZON = timedelta(hours=2)  # "nearly late": a deadline within the next two hours
MAX_ROWS = 1000


def _due_soon(now: datetime) -> sa.ColumnElement[bool]:
    soon = now + HORIZON
    return sa.and_(col(Ticket.status).in_(sla.WORKING_STATUSES), col(Ticket.paused_at).is_(None), sa.or_(
        sa.and_(col(Ticket.responded_at).is_(None), Ticket.respond_due <= soon),
        sa.and_(col(Ticket.onsite_due).is_not(None), col(Ticket.onsite_at).is_(None), Ticket.onsite_due <= soon),
        Ticket.resolve_due <= soon))


def _count(session: Session, *where) -> int:
    return session.scalar(sa.select(sa.func.count(Ticket.id)).where(*where)) or 0


def daily_review(session: Session, principal: Principal, day: date | None = None, language: str = "zh-CN",
                 now: datetime | None = None) -> dict:
    principal.require(Perm.TICKETS_REVIEW)
    now = now or utcnow()
    day = day or now.astimezone(DISPLAY_ZONE).date()
    start = datetime.combine(day, datetime.min.time(), DISPLAY_ZONE)
    end = start + timedelta(days=1)
    scope = principal.scope_clause(Ticket.community_id)
    overdue, on_hold = sla.overdue_clause(now), Ticket.status == Status.ON_HOLD
    listed = sa.and_(scope, col(Ticket.status).in_([s.value for s in OPEN_STATUSES if s != Status.RESOLVED]),
                     sa.or_(overdue, _due_soon(now), on_hold))
    tickets = list(session.exec(select(Ticket).where(listed).order_by(Ticket.resolve_due, Ticket.id)
                                .limit(MAX_ROWS)).all())
    latest = _latest_events(session, [t.id for t in tickets])
    names = display_names(session, {e.actor_name for e in latest.values()})
    _, departments = names_of_categories_and_departments(session, language)
    cards = {c.id: c for c in cards_of(session, tickets, now, language)}
    groups: dict[str, list[dict]] = defaultdict(list)
    for t in tickets:
        event = latest.get(t.id)
        groups[departments.get(t.department_id, "—")].append({
            "id": t.id, "code": t.code, "title": t.title, "tier": str(t.tier), "status": str(t.status),
            "room": cards[t.id].room, "assignee": cards[t.id].assignee, "sla_state": cards[t.id].sla_state,
            "sla_text": cards[t.id].sla_text, "resolve_due": local_text(t.resolve_due),
            "missed": sla.missed_deadline(t, now), "hold_until": t.hold_until.isoformat() if t.hold_until else "",
            "progress_at": local_text(event.at) if event else "",
            "progress_by": names[event.actor_name] if event else "",
            "progress_kind": event.kind if event else "", "progress_to": event.to_status if event else "",
            "progress": event.body if event else ""})
    figures = {
        "new": _count(session, scope, Ticket.created_at >= start, Ticket.created_at < end),
        "closed": _count(session, scope, Ticket.closed_at >= start, Ticket.closed_at < end),
        "overdue": _count(session, listed, overdue),
        "due_soon": _count(session, listed, sa.not_(overdue), sa.not_(on_hold)),
        "on_hold": _count(session, listed, on_hold, sa.not_(overdue)),
    }
    return {"day": day.isoformat(), "figures": figures, "truncated": len(tickets) == MAX_ROWS,
            "groups": [{"department": name, "tickets": rows} for name, rows in sorted(groups.items())]}


def _latest_events(session: Session, ticket_ids: list[int]) -> dict[int, TicketEvent]:
    if not ticket_ids:
        return {}
    newest = sa.select(TicketEvent.ticket_id, sa.func.max(TicketEvent.id).label("last")).where(
        col(TicketEvent.ticket_id).in_(ticket_ids)).group_by(TicketEvent.ticket_id).subquery()
    return {e.ticket_id: e for e in session.exec(select(TicketEvent).join(newest, newest.c.last == TicketEvent.id)).all()}


def notify_overdue_holds(session: Session, now: datetime | None = None) -> int:
    """Holds past their day: the assignee and the community's managers are told once per hold (daily job)."""
    now = now or utcnow()
    today = now.astimezone(DISPLAY_ZONE).date()
    late = session.exec(select(Ticket).where(
        Ticket.status == Status.ON_HOLD, col(Ticket.hold_until).is_not(None), Ticket.hold_until < today,
        sa.or_(col(Ticket.hold_overdue_notified).is_(None), Ticket.hold_overdue_notified != Ticket.hold_until))).all()
    for ticket in late:
        people = sorted({*managers_of(session, ticket.community_id), *([ticket.assignee_id] if ticket.assignee_id else [])})
        notify(session, people, ticket, "tickets.hold_overdue", f"{ticket.title}（{ticket.hold_until.isoformat()}）")
        ticket.hold_overdue_notified = ticket.hold_until
        session.add(ticket)
    return len(late)

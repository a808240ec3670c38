"""SLA clocks: targets per tier × category, deadlines that pause while on hold, stored breaches.

The hotline runs 24 h, so a clock is wall-clock time minus the time a ticket spent on hold.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.tickets.models import OPEN_STATUSES, SlaBreach, SlaPolicy, Status, Ticket, TicketCategory, Tier

# Statuses whose SLA clock runs: open and not yet resolved (a resolved ticket waits for its callback).
WORKING_STATUSES = tuple(s.value for s in OPEN_STATUSES if s != Status.RESOLVED)


def overdue_clause(now: datetime) -> sa.ColumnElement[bool]:
    """Overdue now, the one definition (``missed_deadline`` gives the same answer for one ticket): while its
    clock runs (open, not resolved, not on hold) a deadline not met has passed — response, on-site or
    resolution; on hold, the hold-until day has passed (Shanghai days). The list filter, the home figures and
    the daily review share it."""
    today = now.astimezone(DISPLAY_ZONE).date()
    running = sa.and_(col(Ticket.status).in_(WORKING_STATUSES), col(Ticket.paused_at).is_(None), sa.or_(
        sa.and_(col(Ticket.responded_at).is_(None), Ticket.respond_due < now),
        sa.and_(col(Ticket.onsite_due).is_not(None), col(Ticket.onsite_at).is_(None), Ticket.onsite_due < now),
        Ticket.resolve_due < now))
    held_too_long = sa.and_(Ticket.status == Status.ON_HOLD, col(Ticket.hold_until).is_not(None),
                            Ticket.hold_until < today)
    return sa.or_(running, held_too_long)


def missed_deadline(ticket, now: datetime) -> str:
    """Which deadline an overdue ticket missed first ("respond" | "onsite" | "resolve" | "hold"), "" when it is
    not overdue; the same definition as ``overdue_clause``."""
    if ticket.status == Status.ON_HOLD:
        return "hold" if ticket.hold_until is not None and ticket.hold_until < now.astimezone(DISPLAY_ZONE).date() \
            else ""
    if ticket.status not in WORKING_STATUSES or ticket.paused_at is not None:
        return ""
    if ticket.responded_at is None and ticket.respond_due < now:
        return "respond"
    if ticket.onsite_due is not None and ticket.onsite_at is None and ticket.onsite_due < now:
        return "onsite"
    return "resolve" if ticket.resolve_due < now else ""

# DESIGN.md defaults (minutes): urgent 15/30/240, important 60/–/1440, normal 240/–/4320.
DEFAULT_TARGETS = {Tier.URGENT: (15, 30, 240), Tier.IMPORTANT: (60, None, 1440), Tier.NORMAL: (240, None, 4320)}
DUE_SOON_SHARE = 0.25  # the last quarter of a window shows as "due soon"


@dataclasses.dataclass(frozen=True)
class Targets:
    respond: int
    onsite: int | None
    resolve: int


def top_category(session: Session, category_id: int) -> int:
    category = session.get(TicketCategory, category_id)
    while category is not None and category.parent_id is not None:
        category = session.get(TicketCategory, category.parent_id)
    return category.id if category else category_id


def targets_for(session: Session, tier: Tier, category_id: int) -> Targets:
    """The matrix cell for the ticket's top-level category, else the tier's default row, else DESIGN.md."""
    top = top_category(session, category_id)
    for candidate in (top, None):
        policy = session.exec(select(SlaPolicy).where(SlaPolicy.tier == tier, SlaPolicy.category_id == candidate)).first()
        if policy is not None:
            return Targets(policy.respond_minutes, policy.onsite_minutes, policy.resolve_minutes)
    return Targets(*DEFAULT_TARGETS[Tier(tier)])


def set_deadlines(ticket: Ticket, targets: Targets) -> None:
    """Deadlines from creation, shifted by the time already spent on hold (creation and tier changes)."""
    start = ticket.created_at + timedelta(seconds=ticket.paused_seconds)
    ticket.respond_due = start + timedelta(minutes=targets.respond)
    ticket.onsite_due = start + timedelta(minutes=targets.onsite) if targets.onsite else None
    ticket.resolve_due = start + timedelta(minutes=targets.resolve)


def restart_resolution(ticket: Ticket, targets: Targets, start: datetime) -> None:
    """A reopened ticket gets a fresh resolution window, from its reopening (``start``)."""
    ticket.resolve_due = start + timedelta(minutes=targets.resolve)


def pause(ticket: Ticket, now: datetime) -> None:
    ticket.paused_at = now


def resume(ticket: Ticket, now: datetime) -> None:
    """The hold's length is added to every deadline not yet met."""
    if ticket.paused_at is None:
        return
    held = now - ticket.paused_at
    ticket.paused_seconds += int(held.total_seconds())
    if ticket.responded_at is None:
        ticket.respond_due += held
    if ticket.onsite_due is not None and ticket.onsite_at is None:
        ticket.onsite_due += held
    if ticket.resolved_at is None:
        ticket.resolve_due += held
    ticket.paused_at = None


def record_breach(session: Session, ticket: Ticket, milestone: str, due: datetime | None, met_at: datetime) -> SlaBreach | None:
    """Store a missed target once, with how late it was met."""
    if due is None or met_at <= due:
        return None
    breach = SlaBreach(ticket_id=ticket.id, community_id=ticket.community_id, tier=ticket.tier, milestone=milestone,
                       round=ticket.reopen_count + 1 if milestone == "resolve" else 1, due_at=due, met_at=met_at,
                       minutes_over=int((met_at - due).total_seconds() // 60))
    session.add(breach)
    return breach


def clock(ticket: Ticket, now: datetime) -> tuple[str, int]:
    """(state, minutes left) of the deadline that matters now: ok | soon | breached | paused | done."""
    if ticket.paused_at is not None:
        return "paused", 0
    if ticket.status in ("resolved", "closed", "cancelled", "invalid"):
        return "done", 0
    if ticket.responded_at is None:
        due, window = ticket.respond_due, ticket.respond_due - ticket.created_at
    else:
        due, window = ticket.resolve_due, ticket.resolve_due - ticket.created_at
    left = due - now
    minutes = int(left.total_seconds() // 60)
    if left.total_seconds() < 0:
        return "breached", minutes
    if left <= window * DUE_SOON_SHARE:
        return "soon", minutes
    return "ok", minutes

"""Rounds read back from tickets' timelines, for tickets written in bulk (the demo seeder, benchmarks).

The workflow services keep rounds as they go (``tickets.rounds``); tickets inserted past them get theirs
here, from the same facts: registration, the status events (resolved, reopened, holds), tier changes and
callbacks. Alembic revision 0011 carries a frozen copy of this reading for the tickets that existed before.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from pm_admin.core.clock import as_utc
from pm_admin.tickets.models import Callback, SlaBreach, Ticket, TicketEvent, TicketRound
from pm_admin.tickets.services.callbacks import MAX_CALLBACK_ATTEMPTS
from pm_admin.tickets.services.rounds import active_seconds, kind_setting

REOPENED_FROM = ("resolved", "closed")
INSERT_BATCH = 5000


def rounds_of(ticket: dict, events: list[dict], setting: tuple[bool, int],
              breached: set[tuple[int, int]] = frozenset()) -> list[dict]:
    """The round rows of one ticket from its events (in time order); ``breached``: (ticket, round) pairs with a
    stored SLA breach."""
    needs_callback, days = setting
    tier_changes = [e for e in events if e["kind"] == "tier"]
    tier = tier_changes[0]["from_status"] if tier_changes else str(ticket["tier"])
    paused, hold_started = 0, None
    current = {"number": 1, "started_at": ticket["created_at"], "paused_seconds_at_start": 0}
    rounds, unreachable = [current], 0

    def new_row(number: int, started: datetime) -> dict:
        return {"number": number, "started_at": started, "paused_seconds_at_start": paused}

    for event in events:
        at, kind, source, target = as_utc(event["at"]), event["kind"], event["from_status"], event["to_status"]
        if kind == "tier":
            tier = target
        elif kind == "status" and target == "on_hold":
            hold_started = at
        elif source == "on_hold" and hold_started is not None:
            paused += int((at - hold_started).total_seconds())
            hold_started = None
        if target == "resolved" and kind == "status":
            held = paused - current["paused_seconds_at_start"]
            current.update(resolved_at=at, tier=tier, hold_seconds=held,
                           active_seconds=active_seconds(current["started_at"], at, held),
                           breached=(ticket["id"], current["number"]) in breached,
                           callback_due_at=at + timedelta(days=days) if needs_callback else None,
                           # bulk-written tickets keep one assignee: the one they have now
                           resolver_id=ticket.get("assignee_id"), department_id=ticket.get("department_id"))
            unreachable = 0
        elif kind in ("callback_satisfied", "callback_unsatisfied") and current.get("resolved_at"):
            current.setdefault("callback_reached_at", at)
        elif kind == "callback_unreachable" and current.get("resolved_at"):
            unreachable += 1
            current["callback_unreachable"] = unreachable >= MAX_CALLBACK_ATTEMPTS
        if source in REOPENED_FROM and target in ("in_progress", "assigned"):
            current = new_row(current["number"] + 1, at)
            rounds.append(current)
    for row in rounds:
        row.update(ticket_id=ticket["id"], community_id=ticket["community_id"], kind=str(ticket["kind"]))
        for name, empty in (("resolved_at", None), ("hold_seconds", 0), ("active_seconds", 0), ("tier", ""),
                            ("breached", False), ("callback_due_at", None), ("callback_reached_at", None),
                            ("callback_unreachable", False), ("resolver_id", None), ("department_id", None)):
            row.setdefault(name, empty)
    return rounds


def rebuild(session: Session, ticket_ids: list[int] | None = None) -> int:
    """Replace the rounds of the given tickets (all tickets when None) with the ones their timelines tell."""
    tickets_q = sa.select(Ticket.id, Ticket.community_id, Ticket.kind, Ticket.tier, Ticket.created_at,
                          Ticket.assignee_id, Ticket.department_id)
    events_q = sa.select(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.kind, TicketEvent.from_status,
                         TicketEvent.to_status).order_by(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.id)
    delete = sa.delete(TicketRound)
    if ticket_ids is not None:
        tickets_q = tickets_q.where(Ticket.id.in_(ticket_ids))
        events_q = events_q.where(TicketEvent.ticket_id.in_(ticket_ids))
        delete = delete.where(TicketRound.ticket_id.in_(ticket_ids))
    session.execute(delete)
    events: dict[int, list[dict]] = defaultdict(list)
    for row in session.execute(events_q).mappings():
        events[row["ticket_id"]].append(dict(row))
    breaches = sa.select(SlaBreach.ticket_id, SlaBreach.round).distinct()
    if ticket_ids is not None:
        breaches = breaches.where(SlaBreach.ticket_id.in_(ticket_ids))
    breached = {tuple(row) for row in session.execute(breaches).all()}
    settings = {}
    rows = []
    for ticket in session.execute(tickets_q).mappings():
        kind = str(ticket["kind"])
        settings.setdefault(kind, kind_setting(session, kind))
        rows += rounds_of(dict(ticket), events.get(ticket["id"], []), settings[kind], breached)
    for start in range(0, len(rows), INSERT_BATCH):
        session.execute(sa.insert(TicketRound), rows[start:start + INSERT_BATCH])
    link_callbacks(session, ticket_ids)
    return len(rows)


def link_callbacks(session: Session, ticket_ids: list[int] | None = None) -> None:
    """Each resolved round's callback: the first one after its resolution that reached the owner (it closed the
    ticket or reopened it, so no later round shares it)."""
    first_reached = (sa.select(sa.func.min(Callback.id))
                     .where(Callback.ticket_id == TicketRound.ticket_id, Callback.reached == sa.true(),
                            Callback.done_at >= TicketRound.resolved_at)
                     .scalar_subquery())
    update = (sa.update(TicketRound).where(TicketRound.resolved_at.is_not(None),
                                           TicketRound.callback_reached_at.is_not(None))
              .values(callback_id=first_reached).execution_options(synchronize_session=False))
    if ticket_ids is not None:
        update = update.where(TicketRound.ticket_id.in_(ticket_ids))
    session.execute(update)

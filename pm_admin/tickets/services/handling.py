"""Work on a ticket beside its workflow: the handling plan of an important ticket and its approval, replies and
internal notes, the tier, the manager's valid-complaint judgment, watching."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from pm_admin.core.clock import utcnow
from pm_admin.core.errors import DomainError, FieldErrors, PermissionDenied
from pm_admin.core.parsers import clean_reason, clean_text
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version
from pm_admin.tickets.models import FINAL_STATUSES, Kind, Status, Ticket, TicketEventKind, TicketObserver, Tier
from pm_admin.tickets.services import rounds, sla
from pm_admin.tickets.services.common import audit_ticket, load_ticket, managers_of, notify, timeline_event

MIN_PLAN = 4


def submit_plan(session: Session, *, actor: Principal, ticket_id: int, plan: str) -> Ticket:
    """处理方案 of an important ticket; work can start once a manager approves it."""
    ticket = load_ticket(session, actor, ticket_id)
    if not (actor.has(Perm.TICKETS_WORK) or ticket.assignee_id == actor.user_id):
        raise PermissionDenied()
    errors = FieldErrors()
    plan = clean_reason(errors, "plan", plan, min_length=MIN_PLAN)
    errors.raise_if_any()
    ticket.plan, ticket.plan_approved_at, ticket.plan_approved_by = plan, None, ""
    ticket.updated_at = utcnow()
    session.add(ticket)
    timeline_event(session, ticket, actor, TicketEventKind.PLAN, ticket.plan)
    notify(session, managers_of(session, ticket.community_id), ticket, "tickets.plan_waiting", ticket.title)
    audit_ticket(session, ticket, actor, "plan_submit")
    return ticket


def approve_plan(session: Session, *, actor: Principal, ticket_id: int) -> Ticket:
    actor.require(Perm.TICKETS_APPROVE)
    ticket = load_ticket(session, actor, ticket_id)
    if not ticket.plan:
        raise DomainError("tickets.no_plan")
    ticket.plan_approved_at, ticket.plan_approved_by, ticket.updated_at = utcnow(), actor.username, utcnow()
    session.add(ticket)
    timeline_event(session, ticket, actor, TicketEventKind.PLAN_APPROVED)
    audit_ticket(session, ticket, actor, "plan_approve")
    return ticket


def add_comment(session: Session, *, actor: Principal, ticket_id: int, body: str, public: bool) -> None:
    """A reply to the owner (public) or an internal note."""
    ticket = load_ticket(session, actor, ticket_id)
    if not (actor.has(Perm.TICKETS_WORK) or ticket.assignee_id == actor.user_id or actor.has(Perm.TICKETS_CREATE)):
        raise PermissionDenied()
    errors = FieldErrors()
    body = clean_text(errors, "body", body, max_length=2000, required=True)
    errors.raise_if_any()
    ticket.updated_at = utcnow()
    session.add(ticket)
    timeline_event(session, ticket, actor, TicketEventKind.REPLY if public else TicketEventKind.NOTE, body,
                   public=public)
    audit_ticket(session, ticket, actor, "reply" if public else "note")


def change_tier(session: Session, *, actor: Principal, ticket_id: int, tier: str, expected_version: int | None = None,
                now: datetime | None = None) -> Ticket:
    """A new tier sets new deadlines: from registration in round 1, from the reopening in a later round (the
    deadline of a round never reaches back before it began). A finished ticket keeps its tier; the same tier again
    is no change. ``expected_version``: the version the user saw (the list's bulk change), refused if it moved on."""
    actor.require(Perm.TICKETS_WORK)
    ticket = load_ticket(session, actor, ticket_id)
    if expected_version is not None:
        expect_version(ticket, expected_version, lambda: {"tier": str(ticket.tier)})
    try:
        new_tier = Tier(tier)
    except ValueError as error:
        raise DomainError("tickets.tier_invalid") from error
    if ticket.status in FINAL_STATUSES:
        raise DomainError("tickets.tier_of_finished")
    if ticket.tier == new_tier:
        raise DomainError("tickets.tier_unchanged")
    before = str(ticket.tier)
    ticket.tier, ticket.updated_at = new_tier, now or utcnow()
    targets = sla.targets_for(session, new_tier, ticket.category_id)
    current = rounds.current_round(session, ticket) if ticket.reopen_count else None
    if current is not None:
        held = ticket.paused_seconds - current.paused_seconds_at_start
        sla.restart_resolution(ticket, targets, current.started_at + timedelta(seconds=held))
    else:
        sla.set_deadlines(ticket, targets)
    session.add(ticket)
    timeline_event(session, ticket, actor, TicketEventKind.TIER, from_status=before, to_status=str(new_tier))
    if new_tier == Tier.URGENT and before != Tier.URGENT:
        notify(session, managers_of(session, ticket.community_id), ticket, "tickets.urgent_notice", ticket.title)
    audit_ticket(session, ticket, actor, "tier", before=before, after=str(new_tier))
    return ticket


def mark_valid_complaint(session: Session, *, actor: Principal, ticket_id: int, valid: bool) -> Ticket:
    """有效投诉: a manager's judgment that the complaint was justified (the ≤ 1% KPI counts these)."""
    actor.require(Perm.TICKETS_APPROVE)
    ticket = load_ticket(session, actor, ticket_id)
    if ticket.kind != Kind.COMPLAINT:
        raise DomainError("tickets.not_a_complaint")
    if ticket.status in (Status.CANCELLED, Status.INVALID):  # withdrawn or unfounded: there is nothing to judge
        raise DomainError("tickets.valid_needs_live_complaint")
    ticket.valid_complaint, ticket.updated_at = valid, utcnow()
    session.add(ticket)
    timeline_event(session, ticket, actor, TicketEventKind.VALID_YES if valid else TicketEventKind.VALID_NO)
    audit_ticket(session, ticket, actor, "valid_complaint", valid=valid)
    return ticket


def watch(session: Session, *, actor: Principal, ticket_id: int) -> None:
    ticket = load_ticket(session, actor, ticket_id)
    if session.get(TicketObserver, (ticket.id, actor.user_id)) is None:
        session.add(TicketObserver(ticket_id=ticket.id, user_id=actor.user_id))

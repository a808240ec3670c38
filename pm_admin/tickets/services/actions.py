"""The named workflow actions (``workflow.ACTIONS``): one function each, with its own rule.

Each takes the ticket's id and the version the user saw, checks scope, version, the table (from which statuses,
who) and its own input, changes the ticket, and writes one ``status`` timeline event and one audit record.
The board and the detail page call ``take`` (an action by name, with the dialog's input) or ``drop`` (a card
dropped on a column: the action the table names for it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime

from sqlmodel import Session, select

from pm_admin.auth.models import User, UserCommunity
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.errors import DomainError, FieldErrors, PermissionDenied
from pm_admin.core.parsers import clean_reason, clean_text, parse_date
from pm_admin.core.permissions import Principal
from pm_admin.core.scoping import expect_version
from pm_admin.tickets.models import Status, Ticket, TicketEventKind, Tier
from pm_admin.tickets.services import rounds, sla
from pm_admin.tickets.services.common import (
    audit_ticket,
    is_member,
    load_ticket,
    managers_of,
    notify,
    timeline_event,
)
from pm_admin.tickets.services.workflow import (
    Action,
    action_for_drop,
    action_named,
    denial,
    explain_refusal,
    may_take,
)

W = Status


class NeedsInput(DomainError):
    """The action is allowed but needs more from the user (the board opens a dialog for ``fields``)."""

    def __init__(self, fields: tuple[str, ...]) -> None:
        super().__init__("tickets.needs_input")
        self.fields = fields


@dataclasses.dataclass
class ActionInput:
    """What the board's or the detail page's dialog collected."""

    assignee_id: int | None = None
    reason: str = ""
    hold_until: str = ""
    resolution: str = ""


# ---------------------------------------------------------------- the frame every action shares


def _begin(session: Session, actor: Principal, ticket_id: int, expected_version: int, action: Action) -> Ticket:
    ticket = _current(session, actor, ticket_id, expected_version)
    _require_allowed(session, actor, ticket, action)
    return ticket


def _current(session: Session, actor: Principal, ticket_id: int, expected_version: int) -> Ticket:
    """The ticket, if still the version the user saw (checked before any query flushes pending changes)."""
    ticket = load_ticket(session, actor, ticket_id)
    expect_version(ticket, expected_version, lambda: {"status": str(ticket.status)})
    return ticket


def _require_allowed(session: Session, actor: Principal, ticket: Ticket, action: Action) -> None:
    source = Status(ticket.status)
    if source not in action.sources or (action.without_callback and rounds.needs_callback(session, ticket)):
        raise DomainError(explain_refusal(source, action.target))
    if not may_take(actor, action, source, ticket.assignee_id):
        raise PermissionDenied(denial(action, source))


def _finish(session: Session, ticket: Ticket, actor: Principal, action: Action, source: Status, body: str,
            now: datetime) -> Ticket:
    ticket.updated_at = now
    session.add(ticket)
    session.flush()
    timeline_event(session, ticket, actor, TicketEventKind.STATUS, body, from_status=str(source),
                   to_status=str(ticket.status), public=ticket.status == W.RESOLVED, at=now)
    audit_ticket(session, ticket, actor, "move", step=action.name,
                 **{"from": str(source), "to": str(ticket.status), "note": body[:200]})
    return ticket


def _reason(errors: FieldErrors, reason: str) -> str:
    return clean_reason(errors, "reason", reason)


def _note_response(session: Session, ticket: Ticket, now: datetime) -> None:
    if ticket.responded_at is None:
        ticket.responded_at = now
        sla.record_breach(session, ticket, "respond", ticket.respond_due, now)


# ---------------------------------------------------------------- the actions


def assign(session: Session, *, actor: Principal, ticket_id: int, expected_version: int, assignee_id: int | None,
           now: datetime | None = None) -> Ticket:
    """派单 / 改派: to an active member of the ticket's department or of its community's staff; the first
    assignment is the response."""
    action, now = action_named("assign"), now or utcnow()
    ticket = _begin(session, actor, ticket_id, expected_version, action)
    source = Status(ticket.status)
    assignee = session.get(User, assignee_id) if assignee_id else None
    if assignee is None or not assignee.is_active or not (
            is_member(session, ticket.department_id, assignee.id) or session.exec(select(UserCommunity).where(
                UserCommunity.user_id == assignee.id, UserCommunity.community_id == ticket.community_id)).first()):
        errors = FieldErrors()
        errors.add("assignee_id", "tickets.assignee_invalid")
        errors.raise_if_any()
    ticket.status, ticket.assignee_id = W.ASSIGNED, assignee.id
    _note_response(session, ticket, now)
    return _finish(session, ticket, actor, action, source, assignee.display_name, now)


def start(session: Session, *, actor: Principal, ticket_id: int, expected_version: int,
          now: datetime | None = None) -> Ticket:
    """开始处理: an important ticket needs its handling plan approved first; starting the work is being on site."""
    action, now = action_named("start"), now or utcnow()
    ticket = _begin(session, actor, ticket_id, expected_version, action)
    if ticket.tier == Tier.IMPORTANT and not ticket.plan_approved_at:
        errors = FieldErrors()
        errors.add("plan", "tickets.plan_needed")
        errors.raise_if_any()
    ticket.status = W.IN_PROGRESS
    _note_response(session, ticket, now)
    if ticket.onsite_due is not None and ticket.onsite_at is None:
        ticket.onsite_at = now
        sla.record_breach(session, ticket, "onsite", ticket.onsite_due, now)
    return _finish(session, ticket, actor, action, W.ASSIGNED, "", now)


def hold(session: Session, *, actor: Principal, ticket_id: int, expected_version: int, reason: str,
         hold_until: str | date, now: datetime | None = None) -> Ticket:
    """挂起 until a day (not before today): the SLA clock stops until the ticket is resumed."""
    action, now = action_named("hold"), now or utcnow()
    ticket = _begin(session, actor, ticket_id, expected_version, action)
    errors = FieldErrors()
    reason = _reason(errors, reason)
    until = parse_date(errors, "hold_until", hold_until, not_before=now.astimezone(DISPLAY_ZONE).date(),
                       too_early="tickets.hold_in_past")
    errors.raise_if_any()
    ticket.status, ticket.hold_reason, ticket.hold_until = W.ON_HOLD, reason[:200], until
    sla.pause(ticket, now)
    return _finish(session, ticket, actor, action, W.IN_PROGRESS, f"{ticket.hold_reason}（{until.isoformat()}）", now)


def resume(session: Session, *, actor: Principal, ticket_id: int, expected_version: int,
           now: datetime | None = None) -> Ticket:
    action, now = action_named("resume"), now or utcnow()
    ticket = _begin(session, actor, ticket_id, expected_version, action)
    ticket.status = W.IN_PROGRESS
    sla.resume(ticket, now)
    return _finish(session, ticket, actor, action, W.ON_HOLD, "", now)


def resolve(session: Session, *, actor: Principal, ticket_id: int, expected_version: int, resolution: str,
            now: datetime | None = None) -> Ticket:
    """办结: ends the round; a kind that needs a callback waits for one from now."""
    action, now = action_named("resolve"), now or utcnow()
    ticket = _begin(session, actor, ticket_id, expected_version, action)
    errors = FieldErrors()
    resolution = clean_text(errors, "resolution", resolution, max_length=2000, required=True)
    errors.raise_if_any()
    ticket.status, ticket.resolution, ticket.resolved_at = W.RESOLVED, resolution, now
    ticket.callback_attempts = 0
    ticket.next_callback_at = now if rounds.needs_callback(session, ticket) else None
    sla.record_breach(session, ticket, "resolve", ticket.resolve_due, now)
    rounds.resolve_round(session, ticket, now)
    return _finish(session, ticket, actor, action, W.IN_PROGRESS, ticket.resolution, now)


def reopen(session: Session, *, actor: Principal, ticket_id: int, expected_version: int, reason: str,
           now: datetime | None = None) -> Ticket:
    """重新处理 by staff (from closed: a manager), with a reason: a new round (``start_new_round``)."""
    action, now = action_named("reopen"), now or utcnow()
    ticket = _begin(session, actor, ticket_id, expected_version, action)
    source = Status(ticket.status)
    errors = FieldErrors()
    reason = _reason(errors, reason)
    errors.raise_if_any()
    start_new_round(session, ticket, now)
    return _finish(session, ticket, actor, action, source, reason, now)


def close_with_note(session: Session, *, actor: Principal, ticket_id: int, expected_version: int, reason: str,
                    now: datetime | None = None) -> Ticket:
    """A kind that needs no callback (anonymous feedback, inquiries by default) is closed with a closing note."""
    action, now = action_named("close_with_note"), now or utcnow()
    ticket = _begin(session, actor, ticket_id, expected_version, action)
    errors = FieldErrors()
    reason = _reason(errors, reason)
    errors.raise_if_any()
    ticket.status, ticket.closed_at, ticket.next_callback_at = W.CLOSED, now, None
    return _finish(session, ticket, actor, action, W.RESOLVED, reason, now)


def _withdraw(session: Session, actor: Principal, ticket_id: int, expected_version: int, reason: str,
              action: Action, now: datetime) -> Ticket:
    ticket = _begin(session, actor, ticket_id, expected_version, action)
    source = Status(ticket.status)
    errors = FieldErrors()
    reason = _reason(errors, reason)
    errors.raise_if_any()
    if ticket.paused_at is not None:
        sla.resume(ticket, now)
    ticket.status, ticket.closed_at = action.target, now
    return _finish(session, ticket, actor, action, source, reason, now)


def cancel(session: Session, *, actor: Principal, ticket_id: int, expected_version: int, reason: str,
           now: datetime | None = None) -> Ticket:
    """撤销 (the owner withdrew it, a duplicate …) before it is resolved."""
    return _withdraw(session, actor, ticket_id, expected_version, reason, action_named("cancel"), now or utcnow())


def mark_invalid(session: Session, *, actor: Principal, ticket_id: int, expected_version: int, reason: str,
                 now: datetime | None = None) -> Ticket:
    """判为无效 (unfounded) before it is resolved; an invalid complaint is outside the valid-complaint rate."""
    return _withdraw(session, actor, ticket_id, expected_version, reason, action_named("mark_invalid"),
                     now or utcnow())


def close_after_callback(ticket: Ticket, now: datetime) -> None:
    """The owner was reached and satisfied, or a manager closed after three unreachable callbacks: the callback
    services call this inside their own checks, timeline and audit."""
    if ticket.status != W.RESOLVED:
        raise DomainError(explain_refusal(Status(ticket.status), W.CLOSED))
    ticket.status, ticket.closed_at, ticket.next_callback_at, ticket.updated_at = W.CLOSED, now, None, now


def start_new_round(session: Session, ticket: Ticket, now: datetime) -> None:
    """Back to work "until the owner is satisfied" (staff reopening, or an unsatisfied callback): a new round with
    a new resolution deadline. An important ticket needs a new handling plan approved by the manager first
    (seed 000 §四(四)2, §六(三)2): it waits as assigned, its old plan kept only in the timeline."""
    ticket.reopen_count += 1
    ticket.resolved_at = ticket.closed_at = None
    ticket.status = W.IN_PROGRESS
    if ticket.tier == Tier.IMPORTANT:
        ticket.status, ticket.plan, ticket.plan_approved_at, ticket.plan_approved_by = W.ASSIGNED, "", None, ""
        notify(session, managers_of(session, ticket.community_id), ticket, "tickets.plan_again", ticket.title)
    sla.restart_resolution(ticket, sla.targets_for(session, ticket.tier, ticket.category_id), now)
    rounds.open_round(session, ticket, now)


# ---------------------------------------------------------------- by name, for the screens


RUN: dict[str, Callable[..., Ticket]] = {"assign": assign, "start": start, "hold": hold, "resume": resume, "resolve": resolve, "reopen": reopen,
       "close_with_note": close_with_note, "cancel": cancel, "mark_invalid": mark_invalid}


def take(session: Session, *, actor: Principal, ticket_id: int, expected_version: int, action: str,
         data: ActionInput | None = None, now: datetime | None = None) -> Ticket:
    """The named action with what the dialog collected; ``NeedsInput`` when a field it needs is blank (the
    table's rule and the role are checked first, so a refused action never opens a dialog)."""
    data, chosen = data or ActionInput(), action_named(action)
    ticket = _begin(session, actor, ticket_id, expected_version, chosen)
    expected_version = ticket.version  # checked above; a query since may have flushed this session's changes
    missing = tuple(field for field in chosen.needs if not getattr(data, field))
    if missing:
        raise NeedsInput(missing)
    # The fields an action needs are its keyword arguments.
    return RUN[chosen.name](session, actor=actor, ticket_id=ticket.id, expected_version=expected_version, now=now,
                            **{field: getattr(data, field) for field in chosen.needs})


def drop(session: Session, *, actor: Principal, ticket_id: int, expected_version: int, to_status: str,
         data: ActionInput | None = None, now: datetime | None = None) -> Ticket:
    """A card dropped on a column: the action the table names for that move, or why there is none."""
    ticket = _current(session, actor, ticket_id, expected_version)
    try:
        source, target = Status(ticket.status), Status(to_status)
    except ValueError as error:
        raise DomainError("tickets.move_not_allowed") from error
    action = action_for_drop(source, target, rounds.needs_callback(session, ticket))
    return take(session, actor=actor, ticket_id=ticket_id, expected_version=ticket.version, action=action.name,
                data=data, now=now)

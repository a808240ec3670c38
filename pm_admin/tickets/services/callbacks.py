"""回访 callbacks: closing the loop with the owner, and the contact that makes the call possible.

A resolved ticket of a kind that needs a callback waits for one: satisfied closes it, unsatisfied reopens it
("直至业主满意为止"), unreachable retries up to three times, then a manager decides. A kind that needs none
(anonymous feedback always, inquiries by default) is closed with a closing note instead. The phone of the
ticket's contact is shown to the person doing the call or the visit, for that task, and each such read is
audited naming the ticket.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.crypto import decrypt
from pm_admin.core.errors import FieldErrors, PermissionDenied
from pm_admin.core.parsers import clean_reason
from pm_admin.core.permissions import Perm, Principal
from pm_admin.tickets.models import Callback, Kind, Status, Ticket, TicketEventKind
from pm_admin.tickets.services import rounds
from pm_admin.tickets.services.actions import close_after_callback, start_new_round
from pm_admin.tickets.services.common import audit_ticket, load_ticket, managers_of, notify, timeline_event

MAX_CALLBACK_ATTEMPTS = 3
CALLBACK_RETRY = timedelta(days=1)
SCORES = ("attitude", "efficiency", "skill", "result", "overall")
METHODS = ("phone", "visit", "wechat", "online")  # online: the owner rated it in the portal or the owner API


@dataclasses.dataclass
class CallbackInput:
    method: str
    reached: bool
    satisfied: bool | None = None
    comment: str = ""
    attitude: int | str | None = None
    efficiency: int | str | None = None
    skill: int | str | None = None
    result: int | str | None = None
    overall: int | str | None = None


def record_callback(session: Session, *, actor: Principal, ticket_id: int, data: CallbackInput,
                    now: datetime | None = None) -> Callback:
    """Satisfied closes; unsatisfied reopens; unreachable retries up to 3 times, then the manager decides."""
    actor.require(Perm.TICKETS_CALLBACK)
    now = now or utcnow()
    ticket = load_ticket(session, actor, ticket_id)
    errors = FieldErrors()
    if ticket.status != Status.RESOLVED:
        errors.add("method", "tickets.callback_needs_resolved")
    elif not rounds.needs_callback(session, ticket):
        errors.add("method", "tickets.no_callback_for_kind")
    if data.method not in METHODS:
        errors.add("method", "tickets.method_invalid")
    if ticket.callback_attempts >= MAX_CALLBACK_ATTEMPTS:
        errors.add("method", "tickets.callback_attempts_used")
    scores = {}
    if data.reached:
        if data.satisfied is None:
            errors.add("satisfied", "error.required")
        if ticket.kind == Kind.REPAIR:  # seed 003 5.28: attitude, efficiency, skill, result, overall
            for field in SCORES:
                value = getattr(data, field)
                if not str(value or "").strip().isdigit() or not 1 <= int(value) <= 5:
                    errors.add(field, "tickets.score_1_5")
                else:
                    scores[field] = int(value)
    if len(data.comment) > 500:
        errors.add("comment", "error.too_long", max=500)
    errors.raise_if_any()
    ticket.callback_attempts += 1
    callback = Callback(ticket_id=ticket.id, attempt=ticket.callback_attempts, method=data.method,
                        reached=data.reached, satisfied=data.satisfied if data.reached else None,
                        comment=data.comment.strip(), done_at=now, done_by=actor.username, **scores)
    session.add(callback)
    ended = rounds.note_callback(session, ticket, reached=data.reached, at=now,
                                 attempts_used=ticket.callback_attempts >= MAX_CALLBACK_ATTEMPTS)
    source = str(ticket.status)
    if not data.reached:
        if ticket.callback_attempts < MAX_CALLBACK_ATTEMPTS:
            ticket.next_callback_at = now + CALLBACK_RETRY
        else:
            ticket.next_callback_at = None
            notify(session, managers_of(session, ticket.community_id), ticket, "tickets.unreachable_notice",
                    ticket.title)
    elif data.satisfied:
        close_after_callback(ticket, now)
    else:
        start_new_round(session, ticket, now)
        ticket.callback_attempts, ticket.next_callback_at = 0, None
    ticket.updated_at = now
    session.add(ticket)
    session.flush()
    rounds.link_callback(session, ended, callback)
    outcome = "unreachable" if not data.reached else "satisfied" if data.satisfied else "unsatisfied"
    timeline_event(session, ticket, actor, TicketEventKind(f"callback_{outcome}"), callback.comment, from_status=source,
           to_status=str(ticket.status), at=now)
    audit_ticket(session, ticket, actor, "callback", outcome=outcome, attempt=callback.attempt)
    return callback


def close_unreachable(session: Session, *, actor: Principal, ticket_id: int, reason: str) -> Ticket:
    """After three unanswered callbacks the manager may close with a reason."""
    actor.require(Perm.TICKETS_APPROVE)
    ticket = load_ticket(session, actor, ticket_id)
    errors = FieldErrors()
    if ticket.status != Status.RESOLVED or ticket.callback_attempts < MAX_CALLBACK_ATTEMPTS:
        errors.add("reason", "tickets.unreachable_first")
    reason = clean_reason(errors, "reason", reason)
    errors.raise_if_any()
    now = utcnow()
    close_after_callback(ticket, now)
    session.add(ticket)
    timeline_event(session, ticket, actor, TicketEventKind.STATUS, reason, from_status=Status.RESOLVED,
                   to_status=Status.CLOSED, at=now)
    audit_ticket(session, ticket, actor, "close_unreachable", reason=reason)
    return ticket


# ---------------------------------------------------------------- the contact, for the task at hand

TASKS = ("callback", "visit")


def contact_phone_for_task(session: Session, *, actor: Principal, ticket_id: int, task: str) -> str:
    """The contact's phone in full, for the callback a cs specialist is making or the visit a technician is
    going on: no typed reason (the task is the purpose), always audited as a personal-data read naming the
    ticket. Anyone else, or the same person at another moment, is refused."""
    ticket = load_ticket(session, actor, ticket_id)
    if task == "callback":
        allowed = actor.has(Perm.TICKETS_CALLBACK) and ticket.status == Status.RESOLVED \
            and rounds.needs_callback(session, ticket)
    elif task == "visit":
        allowed = ticket.assignee_id == actor.user_id and ticket.status in (
            Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD)
    else:
        allowed = False
    if not allowed:
        raise PermissionDenied("tickets.contact_not_for_you")
    phone = decrypt(ticket.contact_phone_enc) or ""
    record(session, action="ticket.contact_read", actor=actor, entity_type="ticket", entity_id=ticket.id,
           community_id=ticket.community_id, details={"code": ticket.code, "task": task, "found": bool(phone)})
    return phone

"""预约上门时间: the time the handler agreed with the contact to come. Set or changed on the ticket page by the desk
(``tickets.work``) or the ticket's assignee while the work is still to do; a public timeline line, so the owner is
told through the outbox in the same transaction (``portal.progress``), and audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from pm_admin.core.clock import DISPLAY_ZONE, as_utc, local_text, utcnow
from pm_admin.core.errors import DomainError, FieldErrors, PermissionDenied
from pm_admin.core.parsers import parse_local_time
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version
from pm_admin.tickets.models import Status, Ticket, TicketEventKind
from pm_admin.tickets.services.common import audit_ticket, load_ticket, timeline_event

FIELD = "appointment_at"
# Work still to do: an appointment for a resolved or finished ticket would promise a visit nobody makes.
SCHEDULABLE = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD)
FURTHEST = timedelta(days=180)  # a year typed wrong (2062) is refused rather than promised to the owner


def may_schedule(actor: Principal, ticket: Ticket) -> bool:
    return actor.has(Perm.TICKETS_WORK) or (actor.has(Perm.TICKETS_OWN) and ticket.assignee_id == actor.user_id)


def input_value(value: datetime | None) -> str:
    """The stored time as a ``datetime-local`` input shows it (local time, minutes)."""
    return as_utc(value).astimezone(DISPLAY_ZONE).strftime("%Y-%m-%dT%H:%M") if value else ""


def parse_appointment(errors: FieldErrors, raw: object, now: datetime) -> datetime | None:
    """A local date and time (``2026-12-06T14:30`` from the picker, or with a space) after ``now``, within 180 days."""
    when = parse_local_time(errors, FIELD, raw, invalid="tickets.appointment_invalid")
    if when is None:
        return None
    if when <= now:
        errors.add(FIELD, "tickets.appointment_past", now=local_text(now))
    elif when > now + FURTHEST:
        errors.add(FIELD, "tickets.appointment_too_far", days=FURTHEST.days)
    return when


def set_appointment(session: Session, *, actor: Principal, ticket_id: int, expected_version: int | None,
                    when: object, now: datetime | None = None) -> Ticket:
    ticket = load_ticket(session, actor, ticket_id)
    if not may_schedule(actor, ticket):
        raise PermissionDenied()
    expect_version(ticket, expected_version, lambda: {FIELD: input_value(ticket.appointment_at)})
    if ticket.status not in SCHEDULABLE:
        raise DomainError("tickets.appointment_not_open")
    now = now or utcnow()
    errors = FieldErrors()
    appointment = parse_appointment(errors, when, now)
    errors.raise_if_any()
    before = local_text(ticket.appointment_at)
    ticket.appointment_at, ticket.updated_at = appointment, now
    session.add(ticket)
    timeline_event(session, ticket, actor, TicketEventKind.APPOINTMENT, local_text(appointment), public=True, at=now)
    audit_ticket(session, ticket, actor, "appointment", before=before, after=local_text(appointment))
    return ticket

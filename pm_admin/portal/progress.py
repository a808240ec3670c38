"""Ticket progress reaches the owner: registered (with its code), assigned, the visit's appointment, a public reply,
resolved (with the result, asking for a rating), reopened, closed. One message per owner account and channel, written through the
outbox in the transaction of the change; anonymous feedback has nobody to tell."""

from __future__ import annotations

from sqlmodel import Session

from pm_admin.core.clock import local_text
from pm_admin.core.crypto import decrypt
from pm_admin.notify.models import Channel, Recipient
from pm_admin.notify.outbox import Address, enqueue
from pm_admin.portal.models import AccountStatus, OwnerAccount
from pm_admin.portal.people import accounts_of_rooms
from pm_admin.tickets.events import TicketProgress
from pm_admin.tickets.models import Kind, Status, Ticket, TicketEventKind

# Steps worth a text message as well as the portal inbox: the code to quote, and the request to rate.
BY_SMS = frozenset({"registered", "resolved"})
REOPENED_FROM = (Status.RESOLVED.value, Status.CLOSED.value)


def step_of(event: TicketProgress) -> str | None:
    """What the owner is told, if anything, for a timeline line."""
    if event.kind == TicketEventKind.CREATED:
        return "registered"
    if event.kind == TicketEventKind.REPLY:
        return "reply" if event.public else None
    if event.kind == TicketEventKind.CALLBACK_UNSATISFIED:
        return "reopened"
    if event.kind == TicketEventKind.APPOINTMENT:
        return "appointment"
    if event.kind not in (TicketEventKind.STATUS, TicketEventKind.CALLBACK_SATISFIED):
        return None
    if event.to_status == Status.CLOSED:
        return "closed"
    if event.to_status == Status.RESOLVED:
        return "resolved"
    if event.from_status in REOPENED_FROM:
        return "reopened"
    if event.to_status == Status.ASSIGNED and event.from_status == Status.NEW:
        return "assigned"
    return None


def _accounts_of_room(session: Session, ticket: Ticket) -> list[OwnerAccount]:
    """Active accounts that may follow the room's tickets today, and the account that reported it."""
    reporter = ticket.created_by.removeprefix("owner:") if ticket.created_by.startswith("owner:") else ""
    accounts = accounts_of_rooms(session, [ticket.room_id]).get(ticket.room_id, [])
    if reporter.isdigit() and all(a.id != int(reporter) for a in accounts):
        extra = session.get(OwnerAccount, int(reporter))
        if extra is not None and extra.status == AccountStatus.ACTIVE:
            accounts.append(extra)
    return accounts


def tell_owner(session: Session, event: TicketProgress) -> None:
    step = step_of(event)
    if step is None:
        return
    ticket = session.get(Ticket, event.ticket_id)
    if ticket is None or ticket.kind == Kind.ANONYMOUS or ticket.room_id is None:
        return
    accounts = _accounts_of_room(session, ticket)
    if not accounts:
        return
    params = {"code": ticket.code, "title": ticket.title, "result": ticket.resolution[:200],
              "appointment": local_text(ticket.appointment_at), "path": f"/portal/tickets/{ticket.id}"}
    for account in accounts:
        channels = [Channel.INBOX] + ([Channel.SMS] if step in BY_SMS else [])
        for channel in channels:
            address = decrypt(account.phone_enc) if channel == Channel.SMS else None
            enqueue(session, key=f"ticket:{ticket.id}:{event.event_id}:{account.id}:{channel}",
                    to=Address(Recipient.OWNER_ACCOUNT, account.id, channel, address, account.language),
                    template=f"notify.ticket_{step}", params=params, community_id=ticket.community_id,
                    cause=f"ticket:{ticket.id}")

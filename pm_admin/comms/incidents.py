"""An urgent ticket of a public area (停电, 电梯困人, 漏水) opened as an incident: an emergency notice prefilled from
the ticket (its title, its category's template, its building), to be checked and sent by the duty manager."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from pm_admin.comms.models import NoticeKind, NoticeTemplate
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.permissions import Perm, Principal
from pm_admin.places.models import Room
from pm_admin.tickets.models import Ticket, TicketCategory

# A ticket's sub-category → the notice template that speaks about it.
TEMPLATE_OF_CATEGORY = {"water_power": "power", "elevator": "elevator", "fire": "fire", "public_facilities": "water"}
VALID_FOR = timedelta(hours=6)


def from_ticket(session: Session, principal: Principal, ticket_id: int) -> dict | None:
    """The notice's starting values, or None for a ticket the user may not see or that is not urgent."""
    principal.require(Perm.NOTICES_DRAFT)
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not principal.can_access_community(ticket.community_id) or ticket.tier != "urgent":
        return None
    category = session.get(TicketCategory, ticket.category_id)
    template = session.get(NoticeTemplate, TEMPLATE_OF_CATEGORY.get(category.code if category else "", ""))
    room = session.get(Room, ticket.room_id) if ticket.room_id else None
    until = (utcnow() + VALID_FOR).astimezone(DISPLAY_ZONE).strftime("%Y-%m-%dT%H:%M")
    return {"community_id": ticket.community_id, "building_ids": [str(room.building_id)] if room else [],
            "values": {"kind": NoticeKind.EMERGENCY.value, "category": template.code if template else "",
                       "title": f"【紧急】{ticket.title}"[:100],
                       "body": (template.body if template else "") + f"\n\n（工单 {ticket.code}）",
                       "group": "all", "valid_until": until, "source": f"ticket:{ticket.id}"}}

"""Ticket changes other domains react to in the same transaction (subscribed in ``pm_admin.wiring``)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class TicketProgress:
    """A line was added to a ticket's timeline: registration, a status change, a reply or a callback."""

    ticket_id: int
    event_id: int
    kind: str  # a TicketEventKind
    from_status: str
    to_status: str
    public: bool

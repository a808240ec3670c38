"""Action items 待办 of a meeting's decisions: who answers for them (a staff member, or an owner named), by when,
open or done; one can open a ticket of channel 座谈会 in one step."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlmodel import Session

from pm_admin.auth.queries import staff_of
from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import DomainError, FieldErrors
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text, parse_date
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version, load_scoped
from pm_admin.meetings.models import ActionStatus, MeetingAction
from pm_admin.meetings.services.common import load_meeting
from pm_admin.tickets.models import Channel, Kind, Tier
from pm_admin.tickets.services.registration import TicketInput, create_ticket


@dataclasses.dataclass
class ActionInput:
    description: str = ""
    responsible_user_id: str = ""  # a staff member of the community …
    responsible_name: str = ""  # … or an owner (or anyone) named
    due_on: str = ""


def _audit(session: Session, actor: Principal, action: str, item: MeetingAction, **details: Any) -> None:
    record(session, action=action, actor=actor, entity_type="meeting_action", entity_id=item.id,
           community_id=item.community_id, details={"meeting": item.meeting_id, **details})


def add_action(session: Session, *, actor: Principal, meeting_id: Any, data: ActionInput) -> MeetingAction:
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_MANAGE)
    errors = FieldErrors()
    description = clean_text(errors, "description", data.description, max_length=500, required=True)
    due_on = parse_date(errors, "due_on", data.due_on)
    user_id, name = None, clean_text(errors, "responsible_name", data.responsible_name, max_length=64)
    if str(data.responsible_user_id or "").strip():
        staff = next((u for u in staff_of(session, meeting.community_id)
                      if is_id(data.responsible_user_id) and u.id == int(data.responsible_user_id)), None)
        if staff is None:
            errors.add("responsible_user_id", "meetings.responsible_unknown")
        else:
            user_id, name = staff.id, staff.display_name
    elif not name:
        errors.add("responsible_name", "meetings.responsible_required")
    errors.raise_if_any()
    item = MeetingAction(meeting_id=meeting.id, community_id=meeting.community_id, description=description,
                         responsible_user_id=user_id, responsible_name=name, due_on=due_on)
    session.add(item)
    session.flush()
    _audit(session, actor, "meeting.action_add", item, description=description, responsible=name, due_on=due_on)
    return item


def _load_action(session: Session, actor: Principal, action_id: Any) -> MeetingAction:
    actor.require(Perm.MEETINGS_MANAGE)
    return load_scoped(session, MeetingAction, action_id, actor, entity="meeting_action")


def set_status(session: Session, *, actor: Principal, action_id: Any, expected_version: int | None,
               done: bool) -> MeetingAction:
    item = _load_action(session, actor, action_id)
    expect_version(item, expected_version, lambda: {"status": str(item.status)})
    status = ActionStatus.DONE if done else ActionStatus.OPEN
    if item.status == status:
        return item
    before = str(item.status)
    item.status, item.done_at = status, utcnow() if done else None
    session.add(item)
    session.flush()
    _audit(session, actor, "meeting.action_status", item, status=[before, str(status)])
    return item


def open_ticket(session: Session, *, actor: Principal, action_id: Any, expected_version: int | None,
                category_id: Any, kind: str = Kind.REQUEST.value, tier: str = Tier.NORMAL.value):
    """A ticket of the meeting's community, channel 座谈会, titled with the item; the item keeps its link."""
    item = _load_action(session, actor, action_id)
    expect_version(item, expected_version, lambda: {"status": str(item.status)})
    if item.ticket_id is not None:
        raise DomainError("meetings.ticket_exists")
    ticket = create_ticket(session, actor=actor, data=TicketInput(
        kind=kind, category_id=category_id, tier=tier, channel=Channel.MEETING.value, title=item.description[:100],
        description=f"{item.responsible_name} · {item.due_on.isoformat()}", community_id=item.community_id))
    item.ticket_id = ticket.id
    session.add(item)
    session.flush()
    _audit(session, actor, "meeting.action_ticket", item, ticket=ticket.code)
    return ticket

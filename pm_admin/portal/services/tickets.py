"""What an owner does with tickets: report one for a room of theirs, give anonymous feedback, rate a resolved one.

The staff services do the work under a portal actor: a principal with only the permissions the step needs, scoped
to the ticket's community, named ``owner:<account>`` in the timeline and the audit log, or just ``portal`` for
anonymous feedback, which keeps no account, room, contact or client address anywhere.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlmodel import Session

from pm_admin.core.clock import utcnow
from pm_admin.core.crypto import decrypt
from pm_admin.core.errors import FieldErrors, NotFound
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import ClientInfo, OwnerPrincipal, Perm, PortalPerm, Principal
from pm_admin.portal import queries
from pm_admin.portal.models import OwnerAccount, PersonKind
from pm_admin.portal.services import photos
from pm_admin.tickets.models import Channel, Kind, Relation, Ticket, Tier
from pm_admin.tickets.services.callbacks import CallbackInput, record_callback
from pm_admin.tickets.services.contact import ContactInput
from pm_admin.tickets.services.registration import TicketInput, create_ticket

OWNER_KINDS = (Kind.REPAIR, Kind.COMPLAINT, Kind.SUGGESTION, Kind.INQUIRY)
OWNER_TIERS = (Tier.URGENT, Tier.NORMAL)  # 紧急 for leaks, power cuts, people stuck: staff set 重要 on triage
TITLE_LENGTH = 30
RELATION_OF = {PersonKind.OWNER: Relation.OWNER, PersonKind.MEMBER: Relation.FAMILY, PersonKind.OCCUPANT: Relation.TENANT}


NO_CLIENT = ClientInfo()  # anonymous feedback keeps no address


def portal_actor(community_id: int, *permissions: str, account_id: int | None = None,
                 client: ClientInfo = NO_CLIENT) -> Principal:
    name = f"owner:{account_id}" if account_id else "portal"
    return Principal(user_id=0, username=name, display_name=name, roles=frozenset(), permissions=frozenset(permissions),
                     all_communities=False, community_ids=frozenset({community_id}), session_id=0, client=client,
                     is_system=True)


@dataclasses.dataclass
class Report:
    kind: str
    category_id: int | str
    description: str
    room_id: int | str | None = None
    tier: str = Tier.NORMAL.value
    preferred_time: str = ""


def _title(description: str) -> str:
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    return first_line[:TITLE_LENGTH] + ("…" if len(first_line) > TITLE_LENGTH else "")


def report(session: Session, *, owner: OwnerPrincipal, data: Report, photo_ids: list[str] | None = None,
           now: datetime | None = None) -> Ticket:
    """A ticket of channel 线上 for one of the owner's rooms; the owner is its contact; their photos attached."""
    owner.require(PortalPerm.TICKETS)
    errors = FieldErrors()
    if data.kind not in OWNER_KINDS:
        errors.add("kind", "tickets.kind_invalid")
    if data.tier not in OWNER_TIERS:
        errors.add("tier", "tickets.tier_invalid")
    if not data.description.strip():
        errors.add("description", "error.required")
    room = None
    if not is_id(data.room_id):
        errors.add("room_id", "portal.choose_room")
    else:
        room = owner.room(int(data.room_id))  # refuses a room that is not theirs
    errors.raise_if_any()
    account = session.get(OwnerAccount, owner.account_id)
    contact = ContactInput(name=account.display_name, phone=decrypt(account.phone_enc) or "",
                           relation=RELATION_OF[account.person_kind].value, preferred_time=data.preferred_time)
    actor = portal_actor(room.community_id, Perm.TICKETS_CREATE, account_id=owner.account_id, client=owner.client)
    ticket = create_ticket(session, actor=actor, now=now, data=TicketInput(
        kind=data.kind, category_id=data.category_id, tier=data.tier, channel=Channel.ONLINE.value,
        title=_title(data.description), description=data.description, room_id=room.room_id, contact=contact))
    photos.attach_photos(session, owner=owner, ticket=ticket, upload_ids=photo_ids or [], actor=actor)
    return ticket


def give_anonymous_feedback(session: Session, *, owner: OwnerPrincipal, community_id: int | str, category_id: int | str,
                            description: str, now: datetime | None = None) -> str:
    """匿名反馈: only the community, category and text are kept. Returns the ticket code, which the owner may note
    down: it is the only link to the feedback (the portal cannot list it as theirs, by design)."""
    owner.require(PortalPerm.FEEDBACK)
    errors = FieldErrors()
    if not is_id(community_id) or int(community_id) not in owner.community_ids:
        errors.add("community_id", "portal.choose_community")
    errors.raise_if_any()
    actor = portal_actor(int(community_id), Perm.TICKETS_CREATE)  # no account, no client address
    ticket = create_ticket(session, actor=actor, now=now, data=TicketInput(
        kind=Kind.ANONYMOUS.value, category_id=category_id, tier=Tier.NORMAL.value, channel=Channel.ONLINE.value,
        title=_title(description), description=description, community_id=int(community_id)))
    return ticket.code


@dataclasses.dataclass
class Rating:
    satisfied: bool | None
    comment: str = ""
    attitude: int | str | None = None
    efficiency: int | str | None = None
    skill: int | str | None = None
    result: int | str | None = None
    overall: int | str | None = None


def rate(session: Session, *, owner: OwnerPrincipal, ticket_id: int | str, rating: Rating,
         now: datetime | None = None) -> Ticket:
    """The owner confirms a resolved ticket online: a callback of method 线上. Unsatisfied reopens it."""
    owner.require(PortalPerm.TICKETS)
    ticket = queries.own_ticket(session, owner, ticket_id)
    if ticket is None:
        raise NotFound("ticket")
    actor = portal_actor(ticket.community_id, Perm.TICKETS_CALLBACK, account_id=owner.account_id, client=owner.client)
    record_callback(session, actor=actor, ticket_id=ticket.id, now=now or utcnow(), data=CallbackInput(
        method="online", reached=True, satisfied=rating.satisfied, comment=rating.comment, attitude=rating.attitude,
        efficiency=rating.efficiency, skill=rating.skill, result=rating.result, overall=rating.overall))
    return ticket

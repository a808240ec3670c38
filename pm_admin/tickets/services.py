"""The ticket desk: creation (routing, SLA, repeat detection), the workflow, plans, callbacks.

Every change writes a timeline event and an audit record in the caller's transaction.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from pm_admin.auth.models import User, UserCommunity, UserRole
from pm_admin.core.audit import record
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.errors import ConcurrencyConflict, DomainError, FieldErrors, NotFound, PermissionDenied
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import Perm, Principal
from pm_admin.places.models import Room
from pm_admin.tickets import rounds, sla
from pm_admin.tickets.contact import ContactInput, clean_contact, room_owner
from pm_admin.tickets.models import (
    FINAL_STATUSES,
    Channel,
    Department,
    DepartmentMember,
    Kind,
    Notification,
    Status,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketObserver,
    TicketSequence,
    Tier,
)

REPEAT_WINDOW = timedelta(days=30)
MIN_REASON = 2


class NeedsInput(DomainError):
    """The move is allowed but needs more from the user (the board opens a dialog for ``fields``)."""

    def __init__(self, fields: tuple[str, ...]) -> None:
        super().__init__("tickets.needs_input")
        self.fields = fields


# ---------------------------------------------------------------- helpers


def timeline_event(session: Session, ticket: Ticket, actor: Principal, kind: str, body: str = "", *,
           from_status: str = "", to_status: str = "", public: bool = False, at: datetime | None = None) -> None:
    session.add(TicketEvent(ticket_id=ticket.id, at=at or utcnow(), actor_name=actor.username,
                            kind=kind, from_status=from_status, to_status=to_status, body=body[:2000], public=public))


def audit_ticket(session: Session, ticket: Ticket, actor: Principal, action: str, **details) -> None:
    record(session, action=f"ticket.{action}", actor=actor,
           entity_type="ticket", entity_id=ticket.id, community_id=ticket.community_id,
           details={"code": ticket.code, **details})


def scoped_ticket(session: Session, actor: Principal, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("ticket")
    actor.require_community(ticket.community_id)
    return ticket


def _next_code(session: Session, day: date) -> str:
    """The next number of the (Shanghai) day. Insert-if-missing then an atomic increment, so two desks
    registering at the same moment never get the same code."""
    key = day.strftime("%Y%m%d")
    dialect_insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgres_insert
    session.execute(dialect_insert(TicketSequence).values(day=key, last=0).on_conflict_do_nothing())
    number = session.execute(sa.update(TicketSequence).where(TicketSequence.day == key)
                             .values(last=TicketSequence.last + 1).returning(TicketSequence.last)).scalar_one()
    return f"TS-{key}-{number:04d}"


def managers_of(session: Session, community_id: int) -> list[int]:
    return list(session.exec(
        select(User.id).join(UserRole, UserRole.user_id == User.id).join(UserCommunity, UserCommunity.user_id == User.id)
        .where(UserRole.role_code == "manager", UserCommunity.community_id == community_id,
               User.is_active == sa.true())).all())


def notify(session: Session, user_ids: list[int], ticket: Ticket, key: str, detail: str = "") -> None:
    for user_id in user_ids:
        session.add(Notification(user_id=user_id, ticket_id=ticket.id, message_key=key, detail=detail[:200]))


def _round_robin(session: Session, category: TicketCategory) -> int | None:
    """The department's next active member after the last one given a ticket of this category."""
    members = list(session.exec(select(DepartmentMember.user_id).join(User, User.id == DepartmentMember.user_id)
                                .where(DepartmentMember.department_id == category.department_id,
                                       DepartmentMember.is_active == sa.true(), User.is_active == sa.true())
                                .order_by(DepartmentMember.user_id)).all())
    if not members:
        return None
    after = [m for m in members if category.last_assignee_id is None or m > category.last_assignee_id]
    chosen = (after or members)[0]
    category.last_assignee_id = chosen
    session.add(category)
    return chosen


def is_member(session: Session, department_id: int | None, user_id: int) -> bool:
    return department_id is not None and session.exec(select(DepartmentMember).where(
        DepartmentMember.department_id == department_id, DepartmentMember.user_id == user_id,
        DepartmentMember.is_active == sa.true())).first() is not None


# ---------------------------------------------------------------- creation


@dataclasses.dataclass
class TicketInput:
    kind: str
    category_id: int | str
    tier: str
    channel: str
    title: str
    description: str = ""
    room_id: int | None = None
    community_id: int | None = None  # for public areas, when there is no room
    contact: ContactInput = dataclasses.field(default_factory=ContactInput)  # blank: the room's owner


def earlier_of_the_same(session: Session, room_id: int, category_id: int, kind: str, now: datetime) -> int | None:
    """"One time enough" (seed 003): a ticket of the same kind, room and sub-category registered in the 30 days
    before this one makes it a repeat (二次投诉 for complaints, 返修 for repairs). Only earlier tickets count:
    a back-dated registration is never linked to one registered after it."""
    return session.exec(select(Ticket.id).where(
        Ticket.room_id == room_id, Ticket.category_id == category_id, Ticket.kind == kind,
        Ticket.created_at >= now - REPEAT_WINDOW, Ticket.created_at < now)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())).first()


def create_ticket(session: Session, *, actor: Principal, data: TicketInput, now: datetime | None = None) -> Ticket:
    actor.require(Perm.TICKETS_CREATE)
    now = now or utcnow()
    errors = FieldErrors()
    values = {}
    for field, enum_cls in (("kind", Kind), ("tier", Tier), ("channel", Channel)):
        try:
            values[field] = enum_cls(getattr(data, field))
        except ValueError:
            errors.add(field, f"tickets.{field}_invalid")
    category = session.get(TicketCategory, int(data.category_id)) if is_id(data.category_id) else None
    if category is None or not category.is_active:
        errors.add("category_id", "tickets.category_invalid")
    title = data.title.strip()
    if not title:
        errors.add("title", "error.required")
    elif len(title) > 100:
        errors.add("title", "error.too_long", max=100)
    if len(data.description) > 4000:
        errors.add("description", "error.too_long", max=4000)
    anonymous = values.get("kind") == Kind.ANONYMOUS
    room = session.get(Room, data.room_id) if data.room_id else None
    if data.room_id and room is None:
        errors.add("room_id", "owners.room_unknown")
    if anonymous and room is not None:
        errors.add("room_id", "tickets.anonymous_has_no_room")  # a room would name the submitter
    community_id = room.community_id if room else data.community_id
    if community_id is None:
        errors.add("room_id", "tickets.room_or_community")
    contact = clean_contact(session, room.id if room else None, data.contact, errors, anonymous=anonymous)
    errors.raise_if_any()
    actor.require_community(community_id)
    owner = room_owner(session, room.id) if room is not None and not anonymous else None
    ticket = Ticket(code=_next_code(session, now.astimezone(DISPLAY_ZONE).date()), community_id=community_id,
                    room_id=room.id if room else None, owner_id=owner.id if owner else None, category_id=category.id,
                    title=title, description=data.description.strip(), created_at=now, updated_at=now,
                    created_by=actor.username, respond_due=now, resolve_due=now,
                    department_id=category.department_id, **values, **contact)
    sla.set_deadlines(ticket, sla.targets_for(session, ticket.tier, category.id))
    if room is not None:
        ticket.repeat_of_id = earlier_of_the_same(session, room.id, category.id, ticket.kind, now)
    if category.round_robin and category.department_id:
        ticket.assignee_id = _round_robin(session, category)
        if ticket.assignee_id:
            ticket.status, ticket.responded_at = Status.ASSIGNED, now
    session.add(ticket)
    session.flush()
    rounds.open_round(session, ticket, now)
    timeline_event(session, ticket, actor, "created", ticket.title, to_status=str(ticket.status), at=now)
    if ticket.repeat_of_id:
        timeline_event(session, ticket, actor, "repeat", session.get(Ticket, ticket.repeat_of_id).code, at=now)
    if ticket.tier == Tier.URGENT:  # the emergency procedure starts at once
        notify(session, managers_of(session, community_id), ticket, "tickets.urgent_notice", ticket.title)
    audit_ticket(session, ticket, actor, "create", kind=str(ticket.kind), tier=str(ticket.tier),
           category=category.code, repeat_of=ticket.repeat_of_id, assignee=ticket.assignee_id)
    return ticket


# ---------------------------------------------------------------- the workflow


@dataclasses.dataclass(frozen=True)
class Rule:
    needs: tuple[str, ...] = ()
    by_assignee: bool = False  # the assignee (e.g. a technician) may do this on their own order
    without_callback: bool = False  # only for kinds that need no callback (anonymous feedback, inquiries)


W = Status
TRANSITIONS: dict[tuple[Status, Status], Rule] = {
    (W.NEW, W.ASSIGNED): Rule(("assignee_id",)),
    (W.ASSIGNED, W.ASSIGNED): Rule(("assignee_id",)),
    (W.IN_PROGRESS, W.ASSIGNED): Rule(("assignee_id",)),
    (W.ASSIGNED, W.IN_PROGRESS): Rule(by_assignee=True),
    (W.IN_PROGRESS, W.ON_HOLD): Rule(("reason", "hold_until"), by_assignee=True),
    (W.ON_HOLD, W.IN_PROGRESS): Rule(by_assignee=True),
    (W.IN_PROGRESS, W.RESOLVED): Rule(("resolution",), by_assignee=True),
    (W.RESOLVED, W.IN_PROGRESS): Rule(("reason",)),  # reopened by staff
    (W.RESOLVED, W.CLOSED): Rule(("reason",), without_callback=True),  # the closing note instead of a callback
    (W.CLOSED, W.IN_PROGRESS): Rule(("reason",)),  # reopened after closing (manager)
    **{(source, target): Rule(("reason",)) for source in (W.NEW, W.ASSIGNED, W.IN_PROGRESS, W.ON_HOLD)
       for target in (W.CANCELLED, W.INVALID)},
}


@dataclasses.dataclass
class MoveInput:
    assignee_id: int | None = None
    reason: str = ""
    hold_until: str = ""
    resolution: str = ""


def allowed_moves(session: Session, ticket: Ticket, actor: Principal) -> list[tuple[str, tuple[str, ...]]]:
    """(target, fields the move needs) the actor may choose now; the detail page offers these as buttons."""
    moves = []
    for (source, target), rule in TRANSITIONS.items():
        if source != ticket.status:
            continue
        if rule.without_callback and rounds.needs_callback(session, ticket):
            continue
        own_order = rule.by_assignee and ticket.assignee_id == actor.user_id and actor.has(Perm.TICKETS_OWN)
        if not (actor.has(Perm.TICKETS_WORK) or own_order):
            continue
        if source == W.CLOSED and not actor.has(Perm.TICKETS_APPROVE):
            continue
        moves.append((str(target), rule.needs))
    return moves


def move_label(source: str, target: str) -> str:
    """The button's action key: the same target reads differently from different places."""
    if target == W.IN_PROGRESS and source in (W.RESOLVED, W.CLOSED):
        return "reopen"
    if target == W.IN_PROGRESS and source == W.ON_HOLD:
        return "resume"
    if target == W.ASSIGNED and source != W.NEW:
        return "reassign"
    return str(target)


def explain_refusal(source: Status, target: Status) -> str:
    """Why a move is not allowed, as a catalog key (the board shows it when a card snaps back)."""
    if target == W.CLOSED:
        return "tickets.close_needs_callback"
    if target == W.NEW:
        return "tickets.no_back_to_new"
    if source in (W.CANCELLED, W.INVALID, W.CLOSED):
        return "tickets.finished"
    if source == W.NEW:
        return "tickets.assign_first"
    if source == W.RESOLVED:
        return "tickets.resolved_goes_to_callback"
    if target == W.RESOLVED:
        return "tickets.start_first"
    if target == W.ON_HOLD:
        return "tickets.hold_only_in_progress"
    return "tickets.move_not_allowed"


def move(session: Session, *, actor: Principal, ticket_id: int, expected_version: int, to_status: str,
         data: MoveInput | None = None, now: datetime | None = None) -> Ticket:
    """One workflow step, validated: allowed from→to, role, required input, plan approval for important tickets."""
    data, now = data or MoveInput(), now or utcnow()
    ticket = scoped_ticket(session, actor, ticket_id)
    if ticket.version != expected_version:
        raise ConcurrencyConflict({"status": str(ticket.status), "version": ticket.version})
    try:
        source, target = Status(ticket.status), Status(to_status)
    except ValueError as error:
        raise DomainError("tickets.move_not_allowed") from error
    rule = TRANSITIONS.get((source, target))
    if rule is None or (rule.without_callback and rounds.needs_callback(session, ticket)):
        raise DomainError(explain_refusal(source, target))
    own_order = rule.by_assignee and ticket.assignee_id == actor.user_id and actor.has(Perm.TICKETS_OWN)
    if not (actor.has(Perm.TICKETS_WORK) or own_order):
        raise PermissionDenied()
    if source == W.CLOSED and not actor.has(Perm.TICKETS_APPROVE):
        raise PermissionDenied("tickets.reopen_closed_needs_manager")
    missing = tuple(f for f in rule.needs if not getattr(data, f))
    if missing:
        raise NeedsInput(missing)
    errors = FieldErrors()
    if "reason" in rule.needs and len(data.reason.strip()) < MIN_REASON:
        errors.add("reason", "archives.reason_required", min=MIN_REASON)
    if "hold_until" in rule.needs:
        try:
            until = date.fromisoformat(data.hold_until)
            if until < now.date():
                errors.add("hold_until", "tickets.hold_in_past")
        except ValueError:
            errors.add("hold_until", "import.date_invalid")
    if "assignee_id" in rule.needs:
        assignee = session.get(User, int(data.assignee_id))
        if assignee is None or not assignee.is_active or not (
                is_member(session, ticket.department_id, assignee.id) or session.exec(select(UserCommunity).where(
                    UserCommunity.user_id == assignee.id, UserCommunity.community_id == ticket.community_id)).first()):
            errors.add("assignee_id", "tickets.assignee_invalid")
    if (source, target) == (W.ASSIGNED, W.IN_PROGRESS) and ticket.tier == Tier.IMPORTANT and not ticket.plan_approved_at:
        errors.add("plan", "tickets.plan_needed")
    errors.raise_if_any()

    ticket.status, ticket.updated_at = target, now
    body = ""
    if target == W.ASSIGNED:
        ticket.assignee_id = int(data.assignee_id)
        body = session.get(User, ticket.assignee_id).display_name
        if ticket.responded_at is None:
            ticket.responded_at = now
            sla.record_breach(session, ticket, "respond", ticket.respond_due, now)
    elif target == W.IN_PROGRESS and source == W.ON_HOLD:
        sla.resume(ticket, now)
    elif target == W.IN_PROGRESS and source in (W.RESOLVED, W.CLOSED):
        reopen(session, ticket, now)
        body = data.reason.strip()
    elif target == W.CLOSED:  # a kind that needs no callback: closed with its note
        ticket.closed_at, ticket.next_callback_at = now, None
        body = data.reason.strip()
    elif target == W.IN_PROGRESS:
        if ticket.responded_at is None:
            ticket.responded_at = now
            sla.record_breach(session, ticket, "respond", ticket.respond_due, now)
        if ticket.onsite_due is not None and ticket.onsite_at is None:
            ticket.onsite_at = now  # starting the work is being on site
            sla.record_breach(session, ticket, "onsite", ticket.onsite_due, now)
    elif target == W.ON_HOLD:
        ticket.hold_reason, ticket.hold_until = data.reason.strip()[:200], date.fromisoformat(data.hold_until)
        sla.pause(ticket, now)
        body = f"{ticket.hold_reason}（{data.hold_until}）"
    elif target == W.RESOLVED:
        ticket.resolution, ticket.resolved_at = data.resolution.strip()[:2000], now
        ticket.callback_attempts = 0
        ticket.next_callback_at = now if rounds.needs_callback(session, ticket) else None
        sla.record_breach(session, ticket, "resolve", ticket.resolve_due, now)
        rounds.resolve_round(session, ticket, now)
        body = ticket.resolution
    elif target in (W.CANCELLED, W.INVALID):
        if ticket.paused_at is not None:
            sla.resume(ticket, now)
        ticket.closed_at = now
        body = data.reason.strip()
    session.add(ticket)
    session.flush()
    timeline_event(session, ticket, actor, "status", body, from_status=str(source), to_status=str(ticket.status),
                   public=target == W.RESOLVED, at=now)
    audit_ticket(session, ticket, actor, "move", **{"from": str(source), "to": str(ticket.status), "note": body[:200]})
    return ticket


def reopen(session: Session, ticket: Ticket, now: datetime) -> None:
    """Back to work "until the owner is satisfied": a new round with a new resolution deadline. An important
    ticket needs a new handling plan approved by the manager first (seed 000 §四(四)2, §六(三)2): it waits
    as assigned, its old plan kept only in the timeline."""
    ticket.reopen_count += 1
    ticket.resolved_at = ticket.closed_at = None
    ticket.status = W.IN_PROGRESS
    if ticket.tier == Tier.IMPORTANT:
        ticket.status, ticket.plan, ticket.plan_approved_at, ticket.plan_approved_by = W.ASSIGNED, "", None, ""
        notify(session, managers_of(session, ticket.community_id), ticket, "tickets.plan_again", ticket.title)
    sla.restart_resolution(ticket, sla.targets_for(session, ticket.tier, ticket.category_id), now)
    rounds.open_round(session, ticket, now)


# ---------------------------------------------------------------- plans, replies, tier, validity


def submit_plan(session: Session, *, actor: Principal, ticket_id: int, plan: str) -> Ticket:
    """处理方案 of an important ticket; work can start once a manager approves it."""
    ticket = scoped_ticket(session, actor, ticket_id)
    if not (actor.has(Perm.TICKETS_WORK) or ticket.assignee_id == actor.user_id):
        raise PermissionDenied()
    errors = FieldErrors()
    if len(plan.strip()) < 4:
        errors.add("plan", "archives.reason_required", min=4)
    errors.raise_if_any()
    ticket.plan, ticket.plan_approved_at, ticket.plan_approved_by = plan.strip()[:2000], None, ""
    ticket.updated_at = utcnow()
    session.add(ticket)
    timeline_event(session, ticket, actor, "plan", ticket.plan)
    notify(session, managers_of(session, ticket.community_id), ticket, "tickets.plan_waiting", ticket.title)
    audit_ticket(session, ticket, actor, "plan_submit")
    return ticket


def approve_plan(session: Session, *, actor: Principal, ticket_id: int) -> Ticket:
    actor.require(Perm.TICKETS_APPROVE)
    ticket = scoped_ticket(session, actor, ticket_id)
    if not ticket.plan:
        raise DomainError("tickets.no_plan")
    ticket.plan_approved_at, ticket.plan_approved_by, ticket.updated_at = utcnow(), actor.username, utcnow()
    session.add(ticket)
    timeline_event(session, ticket, actor, "plan_approved")
    audit_ticket(session, ticket, actor, "plan_approve")
    return ticket


def add_comment(session: Session, *, actor: Principal, ticket_id: int, body: str, public: bool) -> None:
    """A reply to the owner (public) or an internal note."""
    ticket = scoped_ticket(session, actor, ticket_id)
    if not (actor.has(Perm.TICKETS_WORK) or ticket.assignee_id == actor.user_id or actor.has(Perm.TICKETS_CREATE)):
        raise PermissionDenied()
    errors = FieldErrors()
    if not body.strip():
        errors.add("body", "error.required")
    elif len(body) > 2000:
        errors.add("body", "error.too_long", max=2000)
    errors.raise_if_any()
    ticket.updated_at = utcnow()
    session.add(ticket)
    timeline_event(session, ticket, actor, "reply" if public else "note", body.strip(), public=public)
    audit_ticket(session, ticket, actor, "reply" if public else "note")


def change_tier(session: Session, *, actor: Principal, ticket_id: int, tier: str, now: datetime | None = None) -> Ticket:
    """A new tier sets new deadlines: from registration in round 1, from the reopening in a later round (the
    deadline of a round never reaches back before it began). A finished ticket keeps its tier."""
    actor.require(Perm.TICKETS_WORK)
    ticket = scoped_ticket(session, actor, ticket_id)
    try:
        new_tier = Tier(tier)
    except ValueError as error:
        raise DomainError("tickets.tier_invalid") from error
    if ticket.status in FINAL_STATUSES:
        raise DomainError("tickets.tier_of_finished")
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
    timeline_event(session, ticket, actor, "tier", from_status=before, to_status=str(new_tier))
    if new_tier == Tier.URGENT and before != Tier.URGENT:
        notify(session, managers_of(session, ticket.community_id), ticket, "tickets.urgent_notice", ticket.title)
    audit_ticket(session, ticket, actor, "tier", before=before, after=str(new_tier))
    return ticket


def mark_valid_complaint(session: Session, *, actor: Principal, ticket_id: int, valid: bool) -> Ticket:
    """有效投诉: a manager's judgment that the complaint was justified (the ≤ 1% KPI counts these)."""
    actor.require(Perm.TICKETS_APPROVE)
    ticket = scoped_ticket(session, actor, ticket_id)
    if ticket.kind != Kind.COMPLAINT:
        raise DomainError("tickets.not_a_complaint")
    if ticket.status in (W.CANCELLED, W.INVALID):  # withdrawn or unfounded: there is nothing to judge
        raise DomainError("tickets.valid_needs_live_complaint")
    ticket.valid_complaint, ticket.updated_at = valid, utcnow()
    session.add(ticket)
    timeline_event(session, ticket, actor, "valid_yes" if valid else "valid_no")
    audit_ticket(session, ticket, actor, "valid_complaint", valid=valid)
    return ticket


def watch(session: Session, *, actor: Principal, ticket_id: int) -> None:
    ticket = scoped_ticket(session, actor, ticket_id)
    if session.get(TicketObserver, (ticket.id, actor.user_id)) is None:
        session.add(TicketObserver(ticket_id=ticket.id, user_id=actor.user_id))


# ---------------------------------------------------------------- notices


def read_notification(session: Session, *, actor: Principal, notification_id: int) -> int | None:
    """Mark one of the actor's notices read; the ticket it points to, if any."""
    notice = session.get(Notification, notification_id)
    if notice is None or notice.user_id != actor.user_id:
        raise NotFound("notification")
    notice.read_at = notice.read_at or utcnow()
    session.add(notice)
    return notice.ticket_id


def read_notifications(session: Session, *, actor: Principal) -> int:
    return session.exec(sa.update(Notification).where(Notification.user_id == actor.user_id,
                                                      col(Notification.read_at).is_(None))
                        .values(read_at=utcnow())).rowcount or 0


def department_of(session: Session, department_id: int | None) -> Department | None:
    return session.get(Department, department_id) if department_id else None
